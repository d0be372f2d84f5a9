import { NodeFS } from '@electric-sql/pglite/nodefs';
import type { PGlite } from '@electric-sql/pglite';

type PostgresModule = Parameters<NodeFS['init']>[1];
type NodeOps = { mknod?: (parent: unknown, name: string, mode: number, dev: number) => unknown; setattr?: (node: unknown, attr: { mode?: number }) => void };
type StreamOps = { setattr?: (stream: unknown, attr: { mode?: number }) => void };
type EmscriptenNodeFs = { node_ops: NodeOps; stream_ops: StreamOps };

/** The permission bits of group and others: never granted on the embedded database's files. */
const GROUP_AND_OTHERS = 0o077;
const ownerOnly = (mode: number): number => mode & ~GROUP_AND_OTHERS;

/**
 * PGlite's NodeFS, except that no file or directory it creates or changes is open to anyone but
 * the owner. PostgreSQL inside PGlite runs with the WebAssembly runtime's own umask (022), and
 * the runtime sets a new file's mode with chmod, which the process umask does not touch: without
 * this, files such as pg_internal.init come out 0644 whatever the operator's umask (ADR 0014).
 * The masking is in the runtime's node operations of this one PGlite instance, so nothing else in
 * the process is affected.
 */
export class OwnerOnlyNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Partial<PostgresModule>): Promise<{ emscriptenOpts: Partial<PostgresModule> }> {
    const { emscriptenOpts } = await super.init(pg, opts);
    // Before NodeFS's own step mounts the directory: every node made from then on uses these operations.
    const maskModes = (module: PostgresModule) => maskNodeFsModes((module as unknown as { NODEFS: EmscriptenNodeFs }).NODEFS);
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [maskModes, ...(emscriptenOpts.preRun ?? [])] } };
  }
}

function maskNodeFsModes(nodefs: EmscriptenNodeFs): void {
  const { mknod, setattr } = nodefs.node_ops;
  const streamSetattr = nodefs.stream_ops.setattr;
  if (!mknod || !setattr || !streamSetattr) throw new Error('PGlite changed its file system: owner-only modes cannot be enforced (see src/db/owner-only-node-fs.ts)');
  const maskAttr = <T extends { mode?: number }>(attr: T): T => (attr.mode === undefined ? attr : { ...attr, mode: ownerOnly(attr.mode) });
  nodefs.node_ops.mknod = (parent, name, mode, dev) => mknod(parent, name, ownerOnly(mode), dev);
  nodefs.node_ops.setattr = (node, attr) => setattr(node, maskAttr(attr));
  nodefs.stream_ops.setattr = (stream, attr) => streamSetattr(stream, maskAttr(attr));
}
