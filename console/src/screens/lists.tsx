import type { Me } from '../api.ts';
export function Lists(_: { me: Me }) { return <p>todo</p>; }
