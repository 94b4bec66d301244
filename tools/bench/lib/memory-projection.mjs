// Memory a server would need for more sockets than this machine lets one process open:
// what it used before the sockets (base) plus what each socket added, times the target.

/**
 * @param {{ before: { rss: number, heapUsed: number }, after: { rss: number, heapUsed: number } }} memory
 *   readings (bytes) before and after `sockets` sockets connected
 * @param {number} sockets how many sockets the difference is for
 * @param {number} target how many sockets to project for
 * @returns {{ rssPerSocketKb: number, heapPerSocketKb: number, rssMb: number, heapMb: number } | null}
 */
export function projectMemory(memory, sockets, target) {
  if (!memory?.before || !memory?.after || !(sockets > 0)) return null;
  const perSocket = (key) => Math.max(0, memory.after[key] - memory.before[key]) / sockets;
  const projected = (key) => (memory.before[key] + perSocket(key) * target) / 1048576;
  return {
    rssPerSocketKb: perSocket('rss') / 1024,
    heapPerSocketKb: perSocket('heapUsed') / 1024,
    rssMb: projected('rss'),
    heapMb: projected('heapUsed'),
  };
}
