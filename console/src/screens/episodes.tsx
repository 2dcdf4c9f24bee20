import type { Me } from '../api.ts';
export function Episodes(_: { me: Me }) { return <p>todo</p>; }
