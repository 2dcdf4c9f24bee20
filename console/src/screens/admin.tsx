import type { Me } from '../api.ts';
export function Admin(_: { me: Me }) { return <p>todo</p>; }
