import { embeddedPostgresSettings } from './postgres.launcher';
import { regionServices } from './services.launcher';

describe(embeddedPostgresSettings.name, () => {
  it("lets every region's services fill their pools at once, past Postgres's default of 100", () => {
    const withDatabase = regionServices.filter((spec) => spec.database).length;
    for (const regions of [1, 2, 3, 5]) {
      const limit = Number(embeddedPostgresSettings(regions)['max_connections']);
      // a pool of 10 and a LISTEN connection for each, and room for a maintenance session
      expect(limit).toBeGreaterThan(regions * withDatabase * 11);
      expect(limit).toBeGreaterThanOrEqual(100);
    }
    expect(embeddedPostgresSettings(3)['max_connections']).toBe('236');
  });
});
