import { Command } from 'commander';
import { ExitCodeValue } from './exit-codes';
import { CliIo } from './run';

// Placeholder: the `analyze` command is being built (see the issue that owns it).
export function register(_program: Command, _io: CliIo, _setExit: (code: ExitCodeValue) => void): void {}
