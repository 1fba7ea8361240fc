// AppSync's own lint rules for APPSYNC_JS (@aws-appsync/eslint-plugin, recommended): what
// the runtime rejects at deploy or run time (try/catch, for(;;), ++, `in`, regex literals,
// functions passed to anything but Array callbacks, unimplemented built-ins, ...).
//
// Run from a folder holding the code as uploaded (tests/infra writes one file per
// resolver, with its EVICTIONS declaration): the type-aware rules need a TypeScript
// program, and the project service builds a default one for the *.js files there.
import appsync from '@aws-appsync/eslint-plugin';

export default [
  {
    files: ['*.js'],
    ...appsync.configs.recommended,
    languageOptions: {
      ...appsync.configs.recommended.languageOptions,
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: process.cwd(),
      },
    },
  },
];
