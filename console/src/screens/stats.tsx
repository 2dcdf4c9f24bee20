import type { Me } from '../api.ts';
export function Stats(_: { me: Me }) { return <p>todo</p>; }
