// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';
import { alertModeSchema } from './alert.ts';

const strict = { additionalProperties: false } as const;

export const HnswConfig = Type.Object(
  {
    m: Type.Integer({ default: 32, minimum: 2, maximum: 128, description: 'HNSW links per node (M): more = better recall, more memory and slower builds' }),
    ef_construction: Type.Integer({ default: 256, minimum: 8, maximum: 2048, description: 'HNSW candidate list while inserting (efConstruction): more = a better graph, slower enrolment (256 against 128 with i8 vectors at 100k clustered faces: 62 s against 36 s of 2 cores to build, recall@1 at ef_search 256 0.984 against 0.974)' }),
    ef_search: Type.Integer({
      default: 512,
      minimum: 8,
      maximum: 4096,
      description:
        'HNSW candidate list while searching (efSearch): more = better recall, slower search; 512 found the exact match for 99.85 % of the matched queries at 100k clustered faces in docs/BENCHMARKS.md (i8, ef_construction 256), 128 for 96.6 %; at 1M faces 512 found 92 %',
    }),
    quantization: Type.Union([Type.Literal('f16'), Type.Literal('f32'), Type.Literal('i8')], {
      default: 'i8',
      description:
        'how the graph stores vectors: `i8` (usearch: each coordinate of the unit vector on 8 bits) builds ~13× faster than `f16` (100k clustered faces, bench/matcher-data.ts: 36 s against 475 s of 2 cores) and searches ~2× faster at the same ef_search with the same recall@1; its scores are coarse, so the index keeps a float32 copy of every vector and re-scores the graph\'s candidates with it (confidences as exact as the exact index\'s; 2 KiB a face beside the graph\'s 0.5 KiB). `f16` and `f32` keep no copy (less memory, slower)',
    }),
  },
  { ...strict, default: {} },
);
export type HnswConfig = Static<typeof HnswConfig>;

export const ProjectedConfig = Type.Object(
  {
    dims: Type.Integer({
      default: 64,
      minimum: 8,
      maximum: 256,
      description:
        'principal axes of the gallery each face is projected on for the first ranking: its code is this many bytes (int8). More = a closer first ranking and a slower scan (the figures in docs/BENCHMARKS.md, "Matcher at scale", are for 64)',
    }),
    candidates: Type.Integer({
      default: 512,
      minimum: 16,
      maximum: 16384,
      description: 'faces the code scan hands on to be re-scored with their float32 vectors, in the same onnxruntime call: a face is missed only when more than this many out-rank it on the codes (at 1M faces, 1024 instead of 512: +0.8 ms a query p50, the same recall; docs/BENCHMARKS.md)',
    }),
    threads: Type.Integer({
      default: 2,
      minimum: 1,
      maximum: 64,
      description: 'onnxruntime threads of the code scan (docs/BENCHMARKS.md measured the default, 2 on 2 cores; one thread answers a single query more slowly); they sleep between scans, so an idle matcher takes no core',
    }),
  },
  { ...strict, default: {} },
);
export type ProjectedConfig = Static<typeof ProjectedConfig>;

export const MatchIndexConfig = Type.Object(
  {
    type: Type.Union([Type.Literal('auto'), Type.Literal('exact'), Type.Literal('hnsw'), Type.Literal('projected')], {
      default: 'auto',
      description:
        'how the watch lists are searched: `exact` scans every face in float32 (always the true best match), `projected` ranks every face on a short code and re-scores the best in float32, `hnsw` walks an approximate graph (docs/BENCHMARKS.md, "Matcher at scale"), `auto` exact below `auto_projected_from` faces, projected from there (also when enrolments bring the lists there, as in `serve`)',
    }),
    auto_projected_from: Type.Integer({ default: 100_000, minimum: 1, description: 'with type `auto`: watch lists of at least this many faces get the projected index' }),
    hnsw: HnswConfig,
    projected: ProjectedConfig,
  },
  { ...strict, default: {} },
);
export type MatchIndexConfig = Static<typeof MatchIndexConfig>;

export const MatchConfig = Type.Object(
  {
    confidence_threshold: Type.Number({
      minimum: -1,
      maximum: 1,
      description:
        "FindFace CONFIDENCE_THRESHOLD: cosine similarity at or above which a candidate is a match, unless its watch list, the event's camera or that camera's group sets its own (in that order; docs/API.md, \"Which thresholds decide a match\"); default: the embedder's `thresholds.match` in the model manifest (0.39 for the bundled model, chosen on master.csv, docs/BENCHMARKS.md)",
    }),
    max_candidates: Type.Integer({ default: 5, minimum: 1, maximum: 100, description: 'top-k candidates kept on each event' }),
    index: MatchIndexConfig,
    alert_mode: alertModeSchema({ default: 'none', description: 'which events are alerts (DeGirum AlertMode: none, on_unknowns, on_knowns, on_all) on cameras whose stream_settings and group name none' }),
    alert_mode_by_camera_group: Type.Record(Type.String(), alertModeSchema(), {
      default: {},
      description: 'alert mode per camera group (the group id as text, as CameraJob.group carries it), for its cameras whose stream_settings name none',
    }),
  },
  strict,
);
export type MatchConfig = Static<typeof MatchConfig>;

export const EnrolConfig = Type.Object(
  {
    mf_selector: Type.Union([Type.Literal('reject'), Type.Literal('biggest')], { default: 'reject', description: 'a watch-list photo with several faces: reject it, or use the biggest face' }),
    minimum_dossier_quality: Type.Number({ default: -2, minimum: -20, maximum: 1, description: 'watch-list photos whose best face is worse than this are rejected' }),
  },
  strict,
);
export type EnrolConfig = Static<typeof EnrolConfig>;
