// Event deduplication per camera group (docs/DEDUP.md): the pure rule (rules.ts), the per-group state the episodes
// stage keeps and its verdict on an event's changes (hook.ts), and which cameras deduplicate (groups.ts, PostgreSQL).
export { dedupEvent, emptyDedup, type DedupEvent, type DedupRule, type DedupState, type DedupStep } from './rules.ts';
export { createEventDedup, dedupEventOf, withDuplicateOf, type EventDedup, type SavedDedup } from './hook.ts';
export { dedupGroupsByCamera, fixedDedupGroups, followDedupGroups, openDedupGroups, type DedupGroup, type DedupGroups, type FollowedDedupGroups } from './groups.ts';
