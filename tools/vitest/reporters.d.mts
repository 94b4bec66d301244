export declare const REPORT_DIR: string;
export declare function reportersFor(
  name: string,
): Array<string | [string, Record<string, unknown>]>;
