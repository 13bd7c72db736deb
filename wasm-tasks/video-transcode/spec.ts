/**
 * The video-transcode spec and the one function that turns it into ffmpeg arguments.
 *
 * The spec is structured so that a poster can never smuggle arbitrary ffmpeg options (file
 * protocols, filters that read other files, threads) into a volunteer's browser, and so that
 * every honest run gets exactly the same argument list, which is what makes the bytes agree.
 */
import { z } from "zod";

export const RESOLUTIONS = { "240p": 240, "360p": 360, "480p": 480, "720p": 720 } as const;
export const FPS_VALUES = [15, 24, 25, 30] as const;
/** Slower presets are left out: they multiply the cost without changing what is verified. */
export const X264_PRESETS = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] as const;

export const videoTranscodeSpecSchema = z.strictObject({
  codec: z.literal("h264"),
  container: z.literal("mp4"),
  resolution: z.enum(Object.keys(RESOLUTIONS) as [keyof typeof RESOLUTIONS, ...(keyof typeof RESOLUTIONS)[]]),
  fps: z.union(FPS_VALUES.map((v) => z.literal(v)) as unknown as [z.ZodLiteral<15>, z.ZodLiteral<24>, z.ZodLiteral<25>, z.ZodLiteral<30>]),
  preset: z.enum(X264_PRESETS),
  rate: z.discriminatedUnion("mode", [
    z.strictObject({ mode: z.literal("crf"), crf: z.int().min(16).max(40) }),
    z.strictObject({ mode: z.literal("bitrate"), kbps: z.int().min(100).max(8000) }),
  ]),
  /** "drop" writes a video-only file; "aac" re-encodes the first audio stream (if any). */
  audio: z.enum(["drop", "aac"]),
});

export type VideoTranscodeSpec = z.infer<typeof videoTranscodeSpecSchema>;

/** Hard limits, checked before (bytes) and after (probe) loading the input. */
export const LIMITS = {
  maxInputBytes: 128 * 1024 * 1024,
  maxDurationSeconds: 300,
  /** Source frame size: 4K UHD. Larger frames would blow the 32-bit wasm heap. */
  maxSourcePixels: 3840 * 2160,
} as const;

/** Paths inside ffmpeg's in-memory file system. */
export const JOB_DIR = "/job";
export const INPUT_PATH = `${JOB_DIR}/input`;
export const OUTPUT_PATH = `${JOB_DIR}/output.mp4`;
export const PROBE_PATH = `${JOB_DIR}/probe.json`;

/**
 * Input options for both ffprobe and ffmpeg. The input is untrusted: a playlist (HLS, concat,
 * image sequences) would make ffmpeg open other files or URLs, and the wasm core has socket
 * emulation. Only plain local reads, and only container formats a video upload really is.
 */
export const INPUT_FORMATS = ["mov", "matroska", "avi", "mpegts", "flv", "mpeg"] as const;
const inputGuards = () => ["-protocol_whitelist", "file", "-format_whitelist", INPUT_FORMATS.join(",")];

export function probeArgs(): string[] {
  return [
    ...inputGuards(),
    "-v", "error",
    "-show_entries", "format=duration,format_name:stream=codec_type,codec_name,width,height",
    "-of", "json",
    "-o", PROBE_PATH,
    INPUT_PATH,
  ];
}

/**
 * ffmpeg arguments for a validated spec. `paths` lets the native-ffmpeg benchmark run the
 * very same list on real files; `threads` is x264's thread count.
 */
export function transcodeArgs(spec: VideoTranscodeSpec, paths = { input: INPUT_PATH, output: OUTPUT_PATH }, threads = 1): string[] {
  const height = RESOLUTIONS[spec.resolution];
  const rate =
    spec.rate.mode === "crf"
      ? ["-crf", String(spec.rate.crf)]
      : ["-b:v", `${spec.rate.kbps}k`, "-maxrate", `${spec.rate.kbps}k`, "-bufsize", `${2 * spec.rate.kbps}k`];
  const audio =
    spec.audio === "aac" ? ["-map", "0:a:0?", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"] : ["-an"];
  return [
    ...inputGuards(),
    "-i", paths.input,
    "-map", "0:v:0",
    ...audio,
    // Input metadata (titles, creation times, encoder strings) must not leak into the output.
    "-map_metadata", "-1",
    "-map_chapters", "-1",
    // fps before scale so dropped frames are never scaled; -2 keeps the aspect with an even width.
    "-vf", `fps=${spec.fps},scale=-2:${height}:flags=bicubic`,
    "-c:v", "libx264",
    "-preset", spec.preset,
    ...rate,
    "-pix_fmt", "yuv420p",
    // One count everywhere: x264's frame threads change the bitstream with the thread count (video-transcode pins 1,
    // video-transcode@2 its spec's count).
    "-threads", String(threads),
    "-filter_threads", "1",
    // No encoder/version strings or timestamps in any header.
    "-fflags", "+bitexact",
    "-flags:v", "+bitexact",
    "-flags:a", "+bitexact",
    // x264 writes its version and full option string into an SEI NAL (type 6).
    "-bsf:v", "filter_units=remove_types=6",
    "-movflags", "+faststart",
    // The probed duration comes from the container header, which the poster controls; this
    // caps what is actually encoded.
    "-t", String(LIMITS.maxDurationSeconds),
    "-f", "mp4",
    paths.output,
  ];
}
