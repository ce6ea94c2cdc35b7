import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          message:
            'main/core, main/api and the headless entry run in plain Node: inject a port instead.'
        }
      ]
    }
  ]
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      '.tools/**',
      'test-results/**',
      'playwright-report/**',
      'bench-results/**'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      '@typescript-eslint/consistent-type-imports': 'error'
    }
  },
  {
    files: [
      'main/core/**',
      'main/api/**',
      'main/headless.ts',
      'main/simulator/**',
      'main/replay/**',
      'main/adapters/**'
    ],
    rules: noElectron
  },
  {
    files: ['main/electron/**'],
    ignores: ['main/electron/ipc.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain'],
              message: 'Register IPC handlers only in main/electron/ipc.ts.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/unit/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules }
  }
)
