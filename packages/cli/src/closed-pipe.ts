// `cvc status | head -3`: when the reader of our output goes away, stop quietly instead of
// printing an EPIPE stack trace (the reader already has all it wanted).
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}
