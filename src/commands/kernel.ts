/** `kvq kernel install`: placeholder until the kernel installer lands. */
export async function kernelInstallCommand(_options: { prefix?: string }): Promise<number> {
  process.stderr.write("kvq kernel install is not implemented yet.\n");
  return 1;
}
