import { Readable } from 'node:stream';
import { splitIntoParts } from './split-into-parts';

function chunks(sizes: number[]): Readable {
  return Readable.from(sizes.map((size, index) => Buffer.alloc(size, index % 256)));
}

describe(splitIntoParts.name, () => {
  const options = { partSize: 10, minPartSize: 5, maxInFlight: 2 };

  it('answers small when everything, prefix included, is under the minimum part size', async () => {
    const uploadPart = jest.fn();

    const result = await splitIntoParts(chunks([1, 2]), {
      ...options,
      prefix: { size: 1, load: async () => Buffer.alloc(1) },
      uploadPart,
    });

    expect(result).toEqual({ kind: 'small', bytes: Buffer.from([0, 1, 1]) });
    expect(uploadPart).not.toHaveBeenCalled();
  });

  it('cuts parts of partSize and never leaves a short last part', async () => {
    const parts: Buffer[] = [];

    const result = await splitIntoParts(chunks([7, 7, 7, 3]), {
      ...options,
      uploadPart: async (bytes, index) => {
        parts[index] = bytes;
      },
    });

    expect(result).toEqual({ kind: 'parts', count: 2 });
    expect(parts.map((part) => part.length)).toEqual([10, 14]);
    expect(Buffer.concat(parts)).toEqual(
      Buffer.concat([7, 7, 7, 3].map((n, i) => Buffer.alloc(n, i))),
    );
  });

  it('puts the prefix in front of the first part', async () => {
    const parts: Buffer[] = [];

    await splitIntoParts(chunks([20]), {
      ...options,
      prefix: { size: 3, load: async () => Buffer.from('abc') },
      uploadPart: async (bytes, index) => {
        parts[index] = bytes;
      },
    });

    expect(parts.map((part) => part.length)).toEqual([10, 13]);
    expect(parts[0]!.subarray(0, 3).toString()).toBe('abc');
  });

  it('keeps at most maxInFlight uploads running', async () => {
    let running = 0;
    let peak = 0;

    await splitIntoParts(chunks(Array.from({ length: 30 }, () => 5)), {
      ...options,
      uploadPart: async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
      },
    });

    expect(peak).toBe(2);
  });

  it('rejects with a failed part and stops reading the body', async () => {
    const body = chunks(Array.from({ length: 30 }, () => 5));

    const result = splitIntoParts(body, {
      ...options,
      uploadPart: async (_bytes, index) => {
        if (index === 1) throw new Error('part refused');
      },
    });

    await expect(result).rejects.toThrow('part refused');
    expect(body.destroyed).toBe(true);
  });
});
