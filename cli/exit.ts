// How an error ends the command: a message for a person and an exit code. Known errors say what to do;
// anything else is a bug, reported with a hint to get the stack trace.
import { ValidationError } from '../config/validate.ts';
import { EnrolmentRejected } from '../enrolment/enrol-photo.ts';
import { WatchlistError } from '../enrolment/watchlist-folder.ts';
import { PhotoError } from '../models/image/read-photo.ts';
import { ModelFileMissingError } from '../models/session.ts';
import { SourceError } from '../pipelines/ingest/index.ts';
import { SchemaRegistrationError, SchemaRegistryUnreachable } from '../schemas/serde/errors.ts';
import { TopologyError } from '../topologies/plan.ts';
import { UserError } from './user-error.ts';

const KNOWN = [UserError, ValidationError, SourceError, WatchlistError, EnrolmentRejected, PhotoError, ModelFileMissingError, TopologyError, SchemaRegistryUnreachable, SchemaRegistrationError];

export function isKnownError(err: unknown): err is Error {
  return KNOWN.some((K) => err instanceof K);
}

export function messageOf(err: unknown): string {
  if (isKnownError(err)) return err.message;
  const text = err instanceof Error ? err.message : String(err);
  return `${text}\n(an unexpected error: run with FACESTREAM_DEBUG=1 for the stack trace and please report it)`;
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UserError) return err.exitCode;
  return isKnownError(err) ? 2 : 1;
}
