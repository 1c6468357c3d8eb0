/** Messages of the command line itself: its options and arguments (src/cli/). */

export const optionNeedsValue = (name: string) => `--${name} needs a value`;

export const unknownOption = (arg: string, allowed: readonly string[]) => `unknown option ${arg}; allowed here: ${allowed.join(', ')}`;

export const optionNotAnInteger = (name: string, text: string, min: number) => `--${name} = ${text} must be an integer >= ${min}`;

export const optionNotInRange = (name: string, text: string, min: number, max: number) => `--${name} = ${text} must be a number in [${min}, ${max}]`;
export const optionNotOneOf = (name: string, value: string, allowed: readonly string[]) => `--${name} = ${value} must be one of ${allowed.join(', ')}`;

export const fromNotOneOf = (from: string) => `--from ${from} is not one of local, mlflow`;

export const syncNeedsUri = () => 'no MLflow server: pass --uri http://host:port or set MLFLOW_TRACKING_URI';

export const overridesNotASweep = (command: string, keys: readonly string[]) => `${command} takes one value per key, not a sweep: ${keys.join(', ')}`;

export const overrideNotAllowed = (command: string, allowed: readonly string[], key: string) =>
  `${command} takes ${allowed.join(', ')} overrides only, not '${key}'`;
