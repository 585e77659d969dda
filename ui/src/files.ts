// The native file dialogs, opened by the Rust side: only a path chosen there (or dropped on
// the window) is accepted by the commands that read or write files.
import { call } from "./api";
import { commands, type FileFilter } from "./bindings";

/** The file the person picks to open, or null when they cancel. */
export function chooseFile(filters: FileFilter[]): Promise<string | null> {
  return call(commands.chooseFile(filters));
}

/** Where the person chooses to save, `fileName` suggested; null when they cancel. */
export function chooseSavePath(fileName: string, filters: FileFilter[]): Promise<string | null> {
  return call(commands.chooseSavePath(fileName, filters));
}
