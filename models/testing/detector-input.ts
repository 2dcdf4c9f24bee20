// The shipped detector's whole-frame input rule (Ultra-Light's, from the manifest), for tests that decode frames
// at the detector's size without loading the model.
import { ultralightWholeFrameInput } from '../detectors/ultralight.ts';
import { findModel, loadManifest } from '../manifest.ts';

export const SHIPPED_DETECTOR_INPUT = ultralightWholeFrameInput(findModel(loadManifest(), 'detector')!.input);
