import { projectMemory } from './memory-projection.mjs';

const MB = 1048576;

describe('the benchmark memory projection', () => {
  it('adds what each socket cost, times the target, to the memory used before the sockets', () => {
    const projection = projectMemory(
      {
        before: { rss: 100 * MB, heapUsed: 20 * MB },
        after: { rss: 120 * MB, heapUsed: 30 * MB },
      },
      10_000,
      50_000,
    );
    expect(projection.rssPerSocketKb).toBeCloseTo(2.048);
    expect(projection.heapPerSocketKb).toBeCloseTo(1.024);
    expect(projection.rssMb).toBeCloseTo(200);
    expect(projection.heapMb).toBeCloseTo(70);
  });

  it('counts a reading that shrank as no cost per socket', () => {
    const projection = projectMemory(
      { before: { rss: 100 * MB, heapUsed: 20 * MB }, after: { rss: 90 * MB, heapUsed: 20 * MB } },
      1_000,
      50_000,
    );
    expect(projection).toMatchObject({ rssPerSocketKb: 0, rssMb: 100 });
  });

  it('projects nothing without sockets or readings', () => {
    expect(projectMemory(undefined, 10, 50_000)).toBeNull();
    expect(
      projectMemory({ before: { rss: 1, heapUsed: 1 }, after: { rss: 2, heapUsed: 2 } }, 0, 50_000),
    ).toBeNull();
  });
});
