/** Messages of src/data/ (WFDB, PTB-XL, synthetic generator, data stage). */

export const wfdbHeaderLine = (file: string, line: number, detail: string) => `${file}:${line}: ${detail}`;

export const wfdbRecordLine = (text: string) =>
  `malformed record line '${text}': expected 'NAME NSIG FS[/COUNTERFS] [NSAMP [BASETIME [BASEDATE]]]', e.g. '00001_lr 12 100 1000'`;

export const wfdbSignalLine = (text: string) =>
  `malformed signal line '${text}': expected 'FILE FORMAT[xSPF][:SKEW][+OFFSET] GAIN[(BASELINE)][/UNITS] ADCRES ADCZERO INITVAL CHECKSUM BLOCKSIZE DESCRIPTION', e.g. '00001_lr.dat 16 1000.0(0)/mV 16 0 -119 1508 0 I'`;

export const wfdbSignalCount = (expected: number, found: number) =>
  `the record line announces ${expected} signals but ${found} signal lines follow`;

export const wfdbUnsupportedFormat = (file: string, line: number, format: number) =>
  `${file}:${line}: signal format ${format} is not supported; supported formats: 16, 212, 80`;

export const wfdbUnsupportedLayout = (file: string, what: string) =>
  `${file}: ${what} is not supported (all signals must share one signal file and format, one sample per frame, no skew)`;

export const wfdbDatSize = (file: string, actual: number, expected: number, detail: string) =>
  `${file}: signal file has ${actual} bytes, expected ${expected} (${detail})`;

export const wfdbChecksum = (file: string, lead: string, expected: number, actual: number) =>
  `${file}: checksum of signal '${lead}' is ${actual} (mod 65536) but the header gives ${expected}`;

export const wfdbInitialValue = (file: string, lead: string, expected: number, actual: number) =>
  `${file}: first sample of signal '${lead}' is ${actual} but the header's initial value is ${expected}`;

export const wfdbMissingFile = (file: string) => `WFDB file not found: ${file}`;

export const wfdbNotTwelveLead = (file: string, leads: readonly string[]) =>
  `${file}: leads ${leads.join(' ')} do not name the 12 standard leads (I II III aVR aVL aVF V1-V6, case-insensitive)`;

export const wfdbRange = (record: string, lead: string, format: number, value: number) =>
  `record ${record}, lead ${lead}: digital value ${value} does not fit format ${format}; lower the gain`;

export const wfdbUnknownLabel = (file: string, label: string, allowed: readonly string[]) =>
  `${file}: '# Labels:' names '${label}', which is not a challenge class; allowed: ${allowed.join(', ')}`;

export const ptbxlMissing = (path: string, what: string) =>
  `PTB-XL folder ${path} has no ${what} (expected PTB-XL's own layout: ptbxl_database.csv or ptbxl_database_subset.csv, scp_statements.csv, records100/, records500/)`;

export const ptbxlBadRow = (file: string, row: number, column: string, value: string, allowed: string) =>
  `${file}, row ${row}: column ${column} = '${value}' is not valid; ${allowed}`;

export const ptbxlAcuteMiUnresolved = (path: string) =>
  `PTB-XL+ 12SL statement files (12sl_statements.csv, 12slv23ToSNOMED.csv) not found for ${path}: records with the MI superclass are labelled 'Old MI' and no record gets 'Acute MI' (the run is tagged data.acuteMiResolved=false)`;

export const pythonLiteral = (text: string, at: number) =>
  `cannot read Python literal '${text}' at character ${at}: expected a dict of quoted strings to numbers, e.g. {'NORM': 100.0, 'SR': 0.0}`;

export const wfdbFolderEmpty = (path: string) => `no WFDB records (.hea files) found under ${path}`;

export const dataPathMissing = (source: string) =>
  `data.path is empty: data.source = ${source} needs the folder of the data set (e.g. data.path=/data/ptb-xl)`;

export const priorOutOfRange = (name: string, value: number) =>
  `data.synthetic.priors.${name} = ${value} is out of range [0, 1]`;

export const priorUnknownClass = (name: string, allowed: readonly string[]) =>
  `data.synthetic.priors names '${name}', which is not a challenge class; allowed: ${allowed.join(', ')}`;

export const priorsInconsistent = (detail: string) => `data.synthetic.priors cannot be satisfied: ${detail}`;

export const splitEmpty = (split: string, total: number) =>
  `split '${split}' is empty (${total} records in all); use more records (data.records) or larger data.split fractions`;

export const datasetCorrupt = (dir: string, detail: string) => `data set in ${dir} is unreadable: ${detail}`;

export const noRecords = (source: string, path: string) => `data.source = ${source} found no records in ${path}`;

export const recordBlankLeads = (record: string, path: string, leads: readonly string[], total: number) =>
  leads.length === total
    ? `record ${record} (${path}) holds no valid sample in any lead (all WFDB invalid markers): left out`
    : `record ${record} (${path}): lead${leads.length > 1 ? 's' : ''} ${leads.join(' ')} hold${leads.length > 1 ? '' : 's'} no valid sample (all WFDB invalid markers): record left out, since its page would show ${leads.length > 1 ? 'those leads' : 'that lead'} blank under the record's labels and the digitizer has no reference for ${leads.length > 1 ? 'them' : 'it'}`;

export const acuteMiUnresolvedTag = 'data.acuteMiResolved';

export const recordsLeftOut = (rendered: number, available: number, path: string) =>
  `rendered ${rendered} of the ${available} records in ${path}: ${available - rendered} left out by --n or data.records (give neither to render all)`;

export const recordsWithoutClass = (count: number, total: number) =>
  `${count} of ${total} records ${count === 1 ? 'has' : 'have'} none of the 11 classes: their '# Labels:' line is empty, as the Challenge writes such records (a missing line would mean unlabelled)`;

export const stratFoldMissing = (record: string) =>
  `data.split.method = strat_fold needs PTB-XL folds, but record ${record} has none; use data.split.method=seeded`;
