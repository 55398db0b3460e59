/**
 * Saving and loading model files: the I/O edge of the classifier (the format is in model-codec.ts).
 *
 * A model is written to a temporary file in the same directory and renamed into place, so a reader
 * (a restarting server, a concurrent `mailroom train`) sees the old file or the new one, never half
 * of one. Loading checks the signature, format number, length and checksum, and names the problem.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ClassifierError } from './classifier-error.js';
import type { ClassifierModel } from './classifier-model.js';
import { decodeModel, encodeModel } from './model-codec.js';

export type SaveModelOptions = { model: ClassifierModel; path: string };
export type LoadModelOptions = { path: string };

/**
 * Writes a model file atomically (temporary file + rename), creating the directory if needed.
 *
 * @returns the number of bytes written and the model's version.
 */
export const saveModel = async ({ model, path }: SaveModelOptions): Promise<{ bytes: number; version: string }> => {
  const bytes = encodeModel(model);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { bytes: bytes.length, version: model.version };
};

/**
 * Reads a model file.
 *
 * @throws ClassifierError `CLASSIFIER_MODEL_CORRUPT` when the file is damaged or not a model file,
 *   `CLASSIFIER_MODEL_WRONG_FORMAT` when it was written in another format version. A missing file
 *   is reported by the file system error (ENOENT) so that callers can treat it as "no model yet".
 */
export const loadModel = async ({ path }: LoadModelOptions): Promise<ClassifierModel> => {
  const bytes = await readFile(path);
  try {
    return decodeModel(bytes);
  } catch (error) {
    if (error instanceof ClassifierError) {
      throw new ClassifierError(error.code, `${path}: ${error.message}`, error.userMessage);
    }
    throw error;
  }
};
