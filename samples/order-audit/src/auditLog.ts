import fs from "node:fs";

/** One JSON object per line, appended and flushed before the record's offset is committed. */
export class AuditLog {
  private constructor(private readonly fd: number) {}

  static open(file: string): AuditLog {
    return new AuditLog(fs.openSync(file, "a"));
  }

  write(entry: object): void {
    fs.writeSync(this.fd, JSON.stringify(entry) + "\n");
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
