import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyText } from '../../src/classify/classify-text.js';
import { ClassifierError } from '../../src/classify/classifier-error.js';
import { encodeModel, MODEL_FORMAT } from '../../src/classify/model-codec.js';
import { loadModel, saveModel } from '../../src/classify/persist-model.js';
import { trainClassifier } from '../../src/classify/train-classifier.js';
import { toyExamples, unseenToyTexts } from './toy-examples.js';

const directory = mkdtempSync(join(tmpdir(), 'mailroom-model-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const examples = toyExamples(30);
const { model } = trainClassifier({ examples, trainedAt: '2025-01-02T03:04:05.000Z' });
if (model === null) throw new Error('toy model did not train');

const expectClassifierError = async (promise: Promise<unknown>, code: string, message: RegExp): Promise<void> => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClassifierError);
  expect((error as ClassifierError).code).toBe(code);
  expect((error as ClassifierError).message).toMatch(message);
};

describe('saveModel / loadModel', () => {
  const path = join(directory, 'nested', 'model.bin');

  it('round-trips: the loaded model gives identical results and keeps version and metadata', async () => {
    const saved = await saveModel({ model, path });
    expect(saved.version).toBe(model.version);
    const loaded = await loadModel({ path });
    expect(loaded.version).toBe(model.version);
    expect(loaded.categories).toEqual(model.categories);
    expect(loaded.calibration).toEqual(model.calibration);
    expect(loaded.training).toEqual(model.training);
    const texts = [...unseenToyTexts.map((e) => e.text), ...examples.slice(0, 20).map((e) => e.text), 'zzz'];
    for (const text of texts) {
      expect(classifyText({ model: loaded, text, threshold: 0.5 })).toEqual(classifyText({ model, text, threshold: 0.5 }));
    }
  });

  it('holds no training text', async () => {
    const bytes = readFileSync(path);
    for (const word of ['charged', 'courier', 'locked', 'tracking']) {
      expect(bytes.includes(Buffer.from(word))).toBe(false);
    }
  });

  it('keeps a category called __proto__ through save and load', async () => {
    const { model: odd } = trainClassifier({
      examples: [
        { text: 'refund my invoice', category: '__proto__' },
        { text: 'parcel not delivered', category: 'shipping' },
      ],
    });
    const oddPath = join(directory, 'odd.bin');
    await saveModel({ model: odd!, path: oddPath });
    const loaded = await loadModel({ path: oddPath });
    expect(Object.entries(loaded.training.examplesPerCategory)).toEqual([
      ['__proto__', 1],
      ['shipping', 1],
    ]);
  });

  it('refuses a file that is not a model', async () => {
    const garbage = join(directory, 'garbage.bin');
    writeFileSync(garbage, 'text,category\nhello,billing\n');
    await expectClassifierError(loadModel({ path: garbage }), 'CLASSIFIER_MODEL_CORRUPT', /signature/);
  });

  it('refuses a truncated file', async () => {
    const truncated = join(directory, 'truncated.bin');
    const bytes = encodeModel(model);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    await expectClassifierError(loadModel({ path: truncated }), 'CLASSIFIER_MODEL_CORRUPT', /truncated\.bin: .*body is/);
  });

  it('refuses a file with a flipped byte in the weights', async () => {
    const flipped = join(directory, 'flipped.bin');
    const bytes = Buffer.from(encodeModel(model));
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(flipped, bytes);
    await expectClassifierError(loadModel({ path: flipped }), 'CLASSIFIER_MODEL_CORRUPT', /checksum/);
  });

  it('refuses a file of another format version as such', async () => {
    const future = join(directory, 'future.bin');
    const bytes = encodeModel(model);
    const headerLength = bytes.readUInt32LE(20);
    const header = JSON.parse(bytes.subarray(24, 24 + headerLength).toString('utf8'));
    const newHeader = Buffer.from(JSON.stringify({ ...header, format: MODEL_FORMAT + 1 }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(newHeader.length, 0);
    writeFileSync(future, Buffer.concat([bytes.subarray(0, 20), length, newHeader, bytes.subarray(24 + headerLength)]));
    await expectClassifierError(loadModel({ path: future }), 'CLASSIFIER_MODEL_WRONG_FORMAT', /format 2/);
  });

  it('refuses a header whose fields were edited', async () => {
    const edited = join(directory, 'edited.bin');
    const bytes = encodeModel(model);
    const headerLength = bytes.readUInt32LE(20);
    const header = JSON.parse(bytes.subarray(24, 24 + headerLength).toString('utf8'));
    const newHeader = Buffer.from(JSON.stringify({ ...header, temperature: header.temperature * 2 }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(newHeader.length, 0);
    writeFileSync(edited, Buffer.concat([bytes.subarray(0, 20), length, newHeader, bytes.subarray(24 + headerLength)]));
    await expectClassifierError(loadModel({ path: edited }), 'CLASSIFIER_MODEL_CORRUPT', /version does not match/);
  });

  it('reports a missing file as ENOENT, so that callers can treat it as "no model yet"', async () => {
    await expect(loadModel({ path: join(directory, 'absent.bin') })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
