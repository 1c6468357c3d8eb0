export const backendUnknown = (name: string, known: readonly string[]) =>
  `backend '${name}' is not one of: ${known.join(', ')}`;

export const backendOptionInvalid = (option: string, known: readonly string[]) => `--backend = ${option} must be one of ${known.join(', ')}`;

/** Without `command`: installing would not help (webgpu without an adapter). */
export const backendUnavailable = (name: string, reason: string, command?: string) =>
  `backend '${name}' cannot be loaded: ${reason}${command === undefined ? '' : `. Install it with: ${command}`}`;

export const nativeNotSetUp = (reason: string, hint: string) => `the native setup failed: ${reason} (fix: ${hint})`;

export const nativeNotLoaded = (detail: string) => `its addon did not load (${detail})`;

export const noGpuDevice = () => 'no NVIDIA GPU device (/dev/nvidiactl) on this machine';

export const otherNativeLoaded = (loaded: string) =>
  `this process already runs the '${loaded}' backend, and two TensorFlow runtimes cannot share one process`;

export const fellBack = (chosen: string, skipped: string, reason: string) =>
  `backend auto: using ${chosen}, because ${skipped} is unavailable: ${reason}`;

export const nothingLoads = (reasons: string) => `no backend could be loaded: ${reasons}`;

export const nativeDisabled = () => 'native TensorFlow is turned off (ECG_LAB_NATIVE=0)';

export const setBackendFailed = (name: string) => `tf.setBackend("${name}") failed`;

export const deterministicChanged = (loaded: boolean) =>
  `deterministic = ${!loaded} in a process whose native TensorFlow was loaded with deterministic = ${loaded}: TensorFlow reads it once, when it loads; run the cells with --jobs 2 or more (one process each) or as separate runs`;
