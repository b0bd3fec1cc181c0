import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { PortPool } from './port-pool.js';

const ADDRESS = '127.0.0.43';

describe('PortPool (real sockets on loopback)', () => {
  it('binds even/odd pairs, skips taken ports, exhausts, reuses released pairs FIFO', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(31002, ADDRESS, r)); // someone else's port
    const pool = new PortPool({
      address: ADDRESS,
      minPort: 31000,
      maxPort: 31007,
      quarantineMs: 0,
    });
    try {
      const a = await pool.acquire();
      const b = await pool.acquire();
      const c = await pool.acquire();
      expect([a.rtpPort, b.rtpPort, c.rtpPort]).toEqual([31000, 31004, 31006]);
      expect(a.rtcpPort).toBe(31001);
      expect(a.rtp.address().port).toBe(31000); // the bound socket itself is handed out
      await expect(pool.acquire()).rejects.toMatchObject({ code: 'HG_ERR_MEDIA_PORTS_EXHAUSTED' });
      pool.release(b);
      pool.release(a);
      expect(pool.inUse).toBe(1);
      expect(await pool.acquire()).toBe(b);
      expect(await pool.acquire()).toBe(a);
      expect(pool.bound).toBe(3);
    } finally {
      pool.close();
      squatter.close();
    }
  });

  it('keeps a released pair resting during the quarantine when others are free', async () => {
    const pool = new PortPool({ address: ADDRESS, minPort: 31010, maxPort: 31017 });
    try {
      const a = await pool.acquire();
      pool.release(a);
      const b = await pool.acquire();
      expect(b.rtpPort).not.toBe(a.rtpPort);
    } finally {
      pool.close();
    }
  });
});
