import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { outboxTableSql } from '@meridian/database';

describe('scan migrations', () => {
  it('create the outbox table exactly as libs/database defines it', async () => {
    const init = await readFile(join(__dirname, '0001_init.sql'), 'utf8');
    expect(init).toContain(outboxTableSql.trim());
  });
});
