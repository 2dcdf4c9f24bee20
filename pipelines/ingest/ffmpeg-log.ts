// FFmpeg's own console messages ("moov atom not found", "Invalid NAL unit size" …). facestream reports every
// source problem itself, with FFmpeg's reason quoted (ffmpeg-errors.ts), so a command line keeps FFmpeg quiet
// unless the user asks for diagnostics. Process-wide, hence set by the composition root, not by library code.
import './promise-with-resolvers.ts';
import { Log } from 'node-av/lib';
import { AV_LOG_QUIET, AV_LOG_WARNING } from 'node-av/constants';

export function setFfmpegLogging(verbose: boolean): void {
  Log.setLevel(verbose ? AV_LOG_WARNING : AV_LOG_QUIET);
}
