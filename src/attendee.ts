/**
 * Who is running the tutorial: ATTENDEE, else the OS user name. In a workshop where everyone
 * shares one vault, it goes into key names and tags so attendees never collide or clean up each
 * other's keys.
 */
import { userInfo } from "node:os";

export function attendeeName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ATTENDEE?.trim()) return env.ATTENDEE.trim();
  try {
    return userInfo().username || "attendee";
  } catch {
    return "attendee";
  }
}
