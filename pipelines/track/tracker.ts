// The one tracker interface (Frigate's track/__init__.py): implementations decide which detection continues
// which track; they do no IO and read time only from the frames they are given.
import type { DetectedFace, FrameDetections } from '../../schemas/records.ts';

/** What the rest of the pipeline may know about a track. */
export interface TrackInfo {
  /** `${camera}-${n}`, n counting tracks of the camera in creation order from 1 */
  readonly id: string;
  readonly camera: string;
  readonly firstTs: number;
  readonly lastTs: number;
  readonly firstT: number;
  readonly lastT: number;
  /** frames the track was seen in */
  readonly frames: number;
  /** seen in at least credence_count frames; unconfirmed tracks never post */
  readonly confirmed: boolean;
}

/** One detection of a frame as continued (or started) track. */
export interface TrackObservation {
  readonly track: TrackInfo;
  readonly face: DetectedFace;
  /** index of the face in FrameDetections.faces */
  readonly index: number;
  /** this frame confirmed the track */
  readonly justConfirmed: boolean;
}

export interface TrackerStep {
  /** tracks that ended before or at this frame, in creation order; unconfirmed ones included (never posted) */
  readonly ended: readonly TrackInfo[];
  /** one per face of the frame, in face order */
  readonly observed: readonly TrackObservation[];
}

export interface Tracker {
  /** Feeds the next frame of a camera (frames of one camera in order; cameras are independent). */
  step(detections: FrameDetections): TrackerStep;
  /** Ends every live track of `camera`, or of all cameras when omitted (end of input, an idle camera). */
  end(camera?: string): readonly TrackInfo[];
  /** The state of one camera as plain data (for the Kafka runtime's state topic); undefined when it has none. */
  saveCamera(camera: string): unknown;
  /** Replaces all state by these cameras' saved states. */
  restore(cameras: ReadonlyArray<readonly [camera: string, saved: unknown]>): void;
}
