import { z } from 'zod';
import { positiveNumber } from '../../validation.js';

/** The option schemas the schedules share, worded as the rest of digitnet's. */
export const learningRateValue = positiveNumber;
export const steps = positiveNumber;
export const nonNegativeNumber = z.number('must be a non-negative number').min(0, 'must be a non-negative number').finite('must be a non-negative number');
export const nonNegativeInteger = z.number('must be a non-negative integer').int('must be a non-negative integer').min(0, 'must be a non-negative integer');
export const fraction = z.number('must be a number in [0, 1]').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');
