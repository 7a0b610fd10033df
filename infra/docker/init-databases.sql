-- The databases `stack up` creates on the machine's PostgreSQL (infra/src/config.ts `databases`).
CREATE DATABASE postprocess;
CREATE DATABASE postprocess_test;
CREATE DATABASE postprocess_registry;
