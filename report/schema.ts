// The analysis report `facestream analyze` writes: TypeBox is the source, report.schema.json is generated
// from it (npm run report:schema) and a test keeps the two equal. Documented in docs/REPORT.md.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const AbsoluteBox = Type.Object(
  {
    left: Type.Number(),
    top: Type.Number(),
    right: Type.Number(),
    bottom: Type.Number(),
  },
  { ...strict, description: 'pixels of the analysed frame (FindFace frame_coords_*); right/bottom exclusive' },
);

export const RelativeBox = Type.Object(
  {
    x: Type.Number(),
    y: Type.Number(),
    w: Type.Number(),
    h: Type.Number(),
  },
  { ...strict, description: 'fractions of frame width/height, upper-left origin (Valossa frames_faces)' },
);

const ClassValue = (names: string[]) =>
  Type.Object({ name: Type.Union(names.map((n) => Type.Literal(n))), confidence: Type.Number({ minimum: 0, maximum: 1 }) }, strict);

export const Attributes = Type.Object(
  {
    gender: Type.Optional(ClassValue(['male', 'female'])),
    age: Type.Optional(Type.Number({ description: 'years; off by default, see docs/MODELS.md for its measured accuracy' })),
    emotions: Type.Optional(ClassValue(['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'])),
    eyes: Type.Optional(ClassValue(['open', 'closed'])),
    liveness: Type.Optional(ClassValue(['real', 'fake'])),
    headpose: Type.Optional(Type.Object({ yaw: Type.Number(), pitch: Type.Number(), roll: Type.Number() }, strict)),
  },
  strict,
);

export const Candidate = Type.Object(
  {
    dossier: Type.String(),
    photo: Type.String({ description: 'the watch-list photo (dossier face) that matched best' }),
    watch_list: Type.String(),
    confidence: Type.Number(),
  },
  strict,
);

export const ReportEvent = Type.Object(
  {
    id: Type.String(),
    camera: Type.String(),
    ts: Type.String({ format: 'date-time' }),
    t_s: Type.Number({ minimum: 0, description: 'seconds from the start of the video' }),
    track_id: Type.String(),
    post_type: Type.Union([Type.Literal('realtime'), Type.Literal('overall')]),
    post_no: Type.Integer({ minimum: 1 }),
    bbox: AbsoluteBox,
    bbox_rel: RelativeBox,
    frame_width: Type.Integer(),
    frame_height: Type.Integer(),
    quality: Type.Number({ maximum: 0, description: 'FindFace scale: 0 best, -1 good, -2 satisfactory, -5 useless' }),
    detection_score: Type.Number(),
    attributes: Attributes,
    matched: Type.Boolean(),
    dossier: Nullable(Type.String()),
    confidence: Type.Number({ description: 'similarity of the best candidate (0 when the watch list is empty)' }),
    candidates: Type.Array(Candidate, { description: 'top-k, best first, at most one per dossier' }),
    episode: Nullable(Type.String()),
    fresh_embedding: Type.Boolean({ description: 'false when the vector was reused from an earlier post of the track' }),
  },
  strict,
);

export const ReportEpisode = Type.Object(
  {
    id: Type.String(),
    dossier: Nullable(Type.String()),
    start_s: Type.Number(),
    end_s: Type.Number(),
    events_count: Type.Integer({ minimum: 1 }),
    best_event_id: Type.String(),
    event_ids: Type.Array(Type.String()),
    cameras: Type.Array(Type.String()),
  },
  strict,
);

export const ReportTrack = Type.Object(
  {
    id: Type.String(),
    camera: Type.String(),
    first_s: Type.Number(),
    last_s: Type.Number(),
    frames: Type.Integer({ minimum: 1 }),
    events: Type.Integer({ minimum: 0 }),
  },
  strict,
);

const Interval = Type.Object({ ss: Type.Number(), se: Type.Number() }, strict);

export const ValossaFace = Type.Object(
  {
    t: Type.Literal('human.face'),
    label: Type.Literal('face'),
    occs: Type.Array(Type.Object({ id: Type.String(), ss: Type.Number(), se: Type.Number() }, strict)),
    a: Type.Object(
      {
        gender: Type.Optional(Type.Object({ value: Type.Union([Type.Literal('male'), Type.Literal('female')]), c: Type.Number() }, strict)),
        s_visible: Type.Number(),
        quality: Type.Union([Type.Literal('normal'), Type.Literal('low')]),
        similar_to: Type.Optional(
          Type.Array(
            Type.Object(
              {
                c: Type.Number(),
                name: Type.String(),
                gallery: Type.Object({ id: Type.String() }, strict),
                gallery_face: Type.Object({ id: Type.String(), name: Type.String() }, strict),
              },
              strict,
            ),
          ),
        ),
      },
      strict,
    ),
  },
  strict,
);

export const ValossaExport = Type.Object(
  {
    core: Type.Object(
      {
        version_info: Type.Object({ metadata_type: Type.Literal('core'), generator: Type.String() }, strict),
        media_info: Type.Object({ technical: Type.Object({ fps: Type.Number(), duration_s: Type.Number() }, strict) }, strict),
        detections: Type.Record(Type.String(), ValossaFace),
        detection_groupings: Type.Object(
          {
            by_detection_type: Type.Object({ 'human.face': Type.Array(Type.String()) }, strict),
            by_detection_property: Type.Object(
              {
                'human.face': Type.Object(
                  { similar_to_face_id: Type.Record(Type.String(), Type.Object({ moccs: Type.Array(Interval), det_ids: Type.Array(Type.String()) }, strict)) },
                  strict,
                ),
              },
              strict,
            ),
          },
          strict,
        ),
      },
      strict,
    ),
    frames_faces: Type.Object(
      {
        version_info: Type.Object({ metadata_type: Type.Literal('frames_faces'), generator: Type.String() }, strict),
        faces_by_frame: Type.Array(Type.Array(Type.Object({ id: Type.String(), x: Type.Number(), y: Type.Number(), w: Type.Number(), h: Type.Number() }, strict))),
      },
      strict,
    ),
  },
  { ...strict, description: "Valossa Core metadata (human.face detections) and frames_faces, one detection per episode" },
);

export const Rejection = Type.Object(
  { file: Type.String(), reason: Type.String(), message: Type.String() },
  strict,
);

export const Report = Type.Object(
  {
    facestream: Type.Object({ version: Type.String(), created: Type.String({ format: 'date-time' }) }, strict),
    source: Type.Object(
      {
        url: Type.String(),
        camera: Type.String(),
        width: Type.Integer(),
        height: Type.Integer(),
        fps: Type.Number({ description: 'native frame rate of the source' }),
        sampled_fps: Type.Number({ description: 'frames per second handed to detection (0 = every frame)' }),
        duration_s: Type.Number(),
        mode: Type.Union([Type.Literal('realtime'), Type.Literal('overall')]),
      },
      strict,
    ),
    watchlist: Type.Object(
      {
        dir: Nullable(Type.String()),
        dossiers: Type.Array(Type.Object({ name: Type.String(), photos: Type.Array(Type.String()) }, strict)),
        rejected: Type.Array(Rejection),
      },
      strict,
    ),
    summary: Type.Object(
      {
        frames: Type.Integer(),
        faces: Type.Integer({ description: 'face detections over all analysed frames' }),
        tracks: Type.Integer({ description: 'confirmed tracks' }),
        events: Type.Integer(),
        matched_events: Type.Integer(),
        episodes: Type.Integer(),
        corrupt_frames: Type.Integer({ description: 'frames skipped because their data was damaged' }),
        missing_frames: Type.Integer({ description: 'frames the file lists but does not hold (truncated file)' }),
        dead_letters: Type.Integer(),
        elapsed_s: Type.Number(),
        speed_x_realtime: Type.Number(),
      },
      strict,
    ),
    events: Type.Array(ReportEvent),
    episodes: Type.Array(ReportEpisode),
    tracks: Type.Array(ReportTrack),
    valossa: ValossaExport,
  },
  { ...strict, $id: 'https://facestream.dev/schemas/report.schema.json', title: 'facestream analysis report' },
);
export type Report = Static<typeof Report>;
export type ReportEvent = Static<typeof ReportEvent>;
export type ReportEpisode = Static<typeof ReportEpisode>;
export type ReportTrack = Static<typeof ReportTrack>;
export type ValossaExport = Static<typeof ValossaExport>;
export type Rejection = Static<typeof Rejection>;
export type Candidate = Static<typeof Candidate>;
