/** A state folder the emulator cannot use as it is: the message says what is wrong and what to do. */
export class EmulatorStateError extends Error {
  override readonly name = "EmulatorStateError";
}
