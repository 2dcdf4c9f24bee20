// A named record's Avro body as it came off the wire, when it was written with facestream's current schema of that
// record. A stage that passes a record on unchanged inside its output (match: every event holds the embedding it
// was matched from) puts this in the output's field instead of the decoded value, and the serde writes the bytes as
// they are: encoding that nested record again was the largest part of writing such an output.
import { Slab } from './slab.ts';

/** kept bodies live until the record holding them is written out: a commit */
const keptBodies = new Slab();

export class EncodedRecord {
  constructor(
    /** full name, e.g. facestream.FaceEmbedding: the serde writes it only into a field of that type */
    readonly typeName: string,
    readonly body: Buffer,
  ) {}

  /** A copy of the body (in a slab): the decoded one is a view into a whole fetch response. */
  detached(): EncodedRecord {
    return new EncodedRecord(this.typeName, keptBodies.copy(this.body));
  }
}
