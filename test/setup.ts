// Global vitest setup: the access matchers of trustmesh/testing, as users register them.
import { expect } from 'vitest';
import { accessMatchers } from '../src/testing';

expect.extend(accessMatchers);
