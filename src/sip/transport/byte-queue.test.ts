import { describe, it, expect } from 'vitest';
import { ByteQueue } from './byte-queue.js';

describe('ByteQueue', () => {
  it('keeps bytes in order across growth, consumption and compaction', () => {
    const q = new ByteQueue(4);
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 200; round++) {
      const n = (round % 7) + 1;
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        chunk[i] = next & 0xff;
        expected.push(next & 0xff);
        next++;
      }
      q.append(chunk);
      if (round % 3 === 0) {
        const take = Math.min(q.length, 5);
        expect([...q.copyHead(take)]).toEqual(expected.slice(0, take));
        q.consume(take);
        expected.splice(0, take);
      }
      expect(q.length).toBe(expected.length);
      expect([...q.view()]).toEqual(expected);
    }
  });

  it('copyHead survives later appends', () => {
    const q = new ByteQueue(2);
    q.append(Buffer.from('ab'));
    const head = q.copyHead(2);
    q.consume(2);
    q.append(Buffer.from('cdefgh'));
    expect(head.toString()).toBe('ab');
    expect(q.view().toString()).toBe('cdefgh');
  });
});
