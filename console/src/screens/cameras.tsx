import type { Me } from '../api.ts';
export function Cameras(_: { me: Me }) { return <p>todo</p>; }
