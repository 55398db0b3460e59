/**
 * The model file format, and the model's version (a content hash). Pure: bytes in, bytes out.
 *
 * Layout (version 1):
 *   "MAILROOM-CLASSIFIER\n"             20 bytes of magic: "is this a model file at all?"
 *   header length                       uint32, little-endian
 *   header                              UTF-8 JSON: format, version, categories, feature options,
 *                                       temperature, calibration, training summary, section sizes,
 *                                       byte length and SHA-256 of the body
 *   body                                hashes (uint32), idf (float32), weight scales (float32),
 *                                       bias (float32), weights (int8), all little-endian
 *
 * The file holds no training text: features are hashes (see text-features.ts), and the training
 * summary keeps only counts per category. A truncated or altered file fails the length or checksum
 * test; a file of another format number is refused as such, never half-read.
 *
 * The version is `clf-` + the first 16 hex digits of SHA-256 over the format number, categories,
 * feature options, temperature and body: everything that changes a prediction and nothing else, so
 * the same examples and seed always give the same version.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ClassifierModel, CalibrationSummary } from './classifier-model.js';
import { ClassifierError } from './classifier-error.js';
import { featureOptionsSchema, indexColumns, type FeatureOptions } from './text-features.js';

export const MODEL_FORMAT = 1;
const MAGIC = Buffer.from('MAILROOM-CLASSIFIER\n', 'ascii');
const HEADER_LENGTH_BYTES = 4;
/** A header larger than this is not one we wrote (categories and options are small). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

const count = z.number().int().nonnegative();
const calibrationSchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('temperature'),
    temperature: z.number().positive(),
    heldOut: count,
    heldOutAccuracy: z.number(),
    logLossBefore: z.number(),
    logLossAfter: z.number(),
    limitedByEvidence: z.boolean(),
  }),
  z.object({ method: z.literal('none'), temperature: z.number().positive(), reason: z.string() }),
]) satisfies z.ZodType<CalibrationSummary>;
// Counts per category are stored as an array in category order: a record would lose a category
// called "__proto__" on the way through JSON parsing and validation.
const trainingSchema = z.object({
  examples: count,
  examplesPerCategory: z.array(count),
  seed: z.number(),
  trainedAt: z.string().nullable(),
});
const headerSchema = z.object({
  format: z.number(),
  version: z.string(),
  categories: z.array(z.string()).min(2),
  featureOptions: featureOptionsSchema,
  temperature: z.number().positive(),
  calibration: calibrationSchema,
  training: trainingSchema,
  columns: count,
  bodyBytes: count,
  bodySha256: z.string(),
});
type ModelHeader = z.infer<typeof headerSchema>;

/** The parts of a model that its version is computed from. */
export type VersionedParts = Pick<ClassifierModel, 'categories' | 'weights' | 'weightScales' | 'bias' | 'temperature'> & {
  hashes: Uint32Array;
  idf: Float32Array;
  featureOptions: FeatureOptions;
};

const bytesOf = (array: Uint32Array | Float32Array | Int8Array): Buffer =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength);

const encodeBody = (parts: VersionedParts): Buffer =>
  Buffer.concat([
    bytesOf(parts.hashes),
    bytesOf(parts.idf),
    bytesOf(parts.weightScales),
    bytesOf(parts.bias),
    bytesOf(parts.weights),
  ]);

const sha256 = (...chunks: Array<string | Buffer>): string => {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
};

const versionOf = (parts: VersionedParts, body: Buffer): string => {
  const predictionMeta = JSON.stringify({
    format: MODEL_FORMAT,
    categories: parts.categories,
    // Through the schema: known fields only, in a fixed order, exactly as a loaded model has them.
    featureOptions: featureOptionsSchema.parse(parts.featureOptions),
    temperature: parts.temperature,
  });
  return `clf-${sha256(predictionMeta, body).slice(0, 16)}`;
};

/** The content-hash version of a model made of these parts. */
export const computeModelVersion = (parts: VersionedParts): string => versionOf(parts, encodeBody(parts));

const partsOf = (model: ClassifierModel): VersionedParts => ({
  categories: model.categories,
  weights: model.weights,
  weightScales: model.weightScales,
  bias: model.bias,
  temperature: model.temperature,
  hashes: model.features.hashes,
  idf: model.features.idf,
  featureOptions: model.features.options,
});

/** Serialises a model to the bytes of a model file. */
export const encodeModel = (model: ClassifierModel): Buffer => {
  const body = encodeBody(partsOf(model));
  const header: ModelHeader = {
    format: MODEL_FORMAT,
    version: model.version,
    categories: model.categories,
    featureOptions: featureOptionsSchema.parse(model.features.options),
    temperature: model.temperature,
    calibration: model.calibration,
    training: {
      ...model.training,
      examplesPerCategory: model.categories.map((category) => model.training.examplesPerCategory[category] ?? 0),
    },
    columns: model.features.hashes.length,
    bodyBytes: body.length,
    bodySha256: sha256(body),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const headerLength = Buffer.alloc(HEADER_LENGTH_BYTES);
  headerLength.writeUInt32LE(headerBytes.length, 0);
  return Buffer.concat([MAGIC, headerLength, headerBytes, body]);
};

const corrupt = (detail: string): ClassifierError =>
  new ClassifierError('CLASSIFIER_MODEL_CORRUPT', `model file is damaged: ${detail}`);

const readHeader = (bytes: Buffer): { header: ModelHeader; bodyStart: number } => {
  if (bytes.length < MAGIC.length + HEADER_LENGTH_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt('it does not start with the Mailroom classifier signature');
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerStart = MAGIC.length + HEADER_LENGTH_BYTES;
  if (headerLength > MAX_HEADER_BYTES || headerStart + headerLength > bytes.length) {
    throw corrupt(`header length ${headerLength} does not fit in ${bytes.length} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(bytes.subarray(headerStart, headerStart + headerLength).toString('utf8'));
  } catch (error) {
    throw corrupt(`header is not JSON (${(error as Error).message})`);
  }
  const format = (header as { format?: unknown } | null)?.format;
  if (typeof format !== 'number') throw corrupt('header has no format number');
  // Another format may have other fields: say "wrong format" before judging its fields.
  if (format !== MODEL_FORMAT) {
    throw new ClassifierError(
      'CLASSIFIER_MODEL_WRONG_FORMAT',
      `model file format ${format} is not the supported format ${MODEL_FORMAT}`,
    );
  }
  const parsed = headerSchema.safeParse(header);
  if (!parsed.success) throw corrupt(`header is invalid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return { header: parsed.data, bodyStart: headerStart + headerLength };
};

// Copies each section so that typed arrays start at aligned offsets.
const section = <T>(body: Buffer, start: number, bytes: number, make: (buffer: ArrayBuffer) => T): T => {
  const copy = new Uint8Array(bytes);
  copy.set(body.subarray(start, start + bytes));
  return make(copy.buffer);
};

/** Parses the bytes of a model file; throws a ClassifierError naming what is wrong. */
export const decodeModel = (bytes: Buffer): ClassifierModel => {
  const { header, bodyStart } = readHeader(bytes);
  const body = bytes.subarray(bodyStart);
  if (body.length !== header.bodyBytes) throw corrupt(`body is ${body.length} bytes, expected ${header.bodyBytes}`);
  if (sha256(body) !== header.bodySha256) throw corrupt('body checksum does not match');
  const columns = header.columns;
  const categories = header.categories.length;
  const sizes = [columns * 4, columns * 4, categories * 4, categories * 4, columns * categories];
  if (sizes.reduce((a, b) => a + b, 0) !== body.length) throw corrupt('section sizes do not add up to the body');
  let at = 0;
  const next = <T>(bytesLength: number, make: (buffer: ArrayBuffer) => T): T => {
    const value = section(body, at, bytesLength, make);
    at += bytesLength;
    return value;
  };
  const hashes = next(sizes[0], (b) => new Uint32Array(b));
  const idf = next(sizes[1], (b) => new Float32Array(b));
  const weightScales = next(sizes[2], (b) => new Float32Array(b));
  const bias = next(sizes[3], (b) => new Float32Array(b));
  const weights = next(sizes[4], (b) => new Int8Array(b));
  const model: ClassifierModel = {
    version: header.version,
    categories: header.categories,
    features: { options: header.featureOptions, hashes, idf, columnOf: indexColumns(hashes) },
    weights,
    weightScales,
    bias,
    temperature: header.temperature,
    calibration: header.calibration,
    training: {
      ...header.training,
      examplesPerCategory: Object.fromEntries(
        header.categories.map((category, i) => [category, header.training.examplesPerCategory[i] ?? 0]),
      ),
    },
  };
  if (computeModelVersion(partsOf(model)) !== header.version) throw corrupt('version does not match the content');
  return model;
};
