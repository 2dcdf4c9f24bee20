import type { Me } from '../api.ts';
export function Search(_: { me: Me }) { return <p>todo</p>; }
