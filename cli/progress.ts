// The progress bar of long jobs (cli-progress): frames, fps, faces, tracks, matches. On a terminal, lines printed
// during the run go above the bar; elsewhere (CI, pipes) there is no bar and lines go to stdout as they are.
import cliProgress from 'cli-progress';

export interface Progress {
  update(values: { frames: number; faces: number; tracks: number; matches: number }): void;
  log(line: string): void;
  stop(): void;
}

export function createProgress(totalFrames: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) {
    return { update() {}, log: (line) => console.log(line), stop() {} };
  }
  const started = Date.now();
  const multi = new cliProgress.MultiBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} frames | {fps} fps | faces {faces} | tracks {tracks} | matches {matches}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(Math.max(1, totalFrames), 0, { fps: '0.0', faces: 0, tracks: 0, matches: 0 });
  return {
    update({ frames, faces, tracks, matches }) {
      const fps = frames / Math.max(0.001, (Date.now() - started) / 1000);
      if (frames > bar.getTotal()) bar.setTotal(frames);
      bar.update(frames, { fps: fps.toFixed(1), faces, tracks, matches });
    },
    log: (line) => multi.log(`${line}\n`),
    stop: () => {
      multi.update(); // writes the lines logged since the last redraw, which stop() would drop
      multi.stop();
    },
  };
}
