/** Saves a file the API made (a CSV export) under the given name, as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the object URL after the click returns; give it time before letting go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
