/**
 * Small labeled sets for the classifier tests: three support topics with distinct vocabularies,
 * built from templates so that every text differs but each topic stays separable.
 */
import type { LabeledExample } from '../../src/classify/labeled-example.js';

const TOPICS: Record<string, { subjects: string[]; phrases: string[] }> = {
  billing: {
    subjects: ['invoice', 'refund', 'charge', 'payment', 'receipt'],
    phrases: [
      'I was charged twice for my {s}',
      'please send a copy of the {s} for last month',
      'why is there an extra {s} on my credit card',
      'the {s} amount on my bill looks wrong',
      'can I get my money back for this {s}',
      'my {s} was taken from the bank account again',
    ],
  },
  shipping: {
    subjects: ['parcel', 'package', 'delivery', 'shipment', 'order'],
    phrases: [
      'my {s} has not arrived yet',
      'where is my {s}, the tracking number shows nothing',
      'the courier left the {s} at the wrong address',
      'how long does the {s} take to reach Germany',
      'the {s} arrived damaged and the box was open',
      'can you change the delivery address of my {s}',
    ],
  },
  login: {
    subjects: ['password', 'account', 'login', 'two-factor code', 'username'],
    phrases: [
      'I cannot sign in, my {s} is not accepted',
      'reset my {s} please, I am locked out',
      'the app says my {s} is invalid',
      'I forgot my {s} and the reset email never comes',
      'my {s} stopped working after the update',
      'someone changed my {s} without asking me',
    ],
  },
};

/** `perTopic` examples for each of billing, shipping and login. */
export const toyExamples = (perTopic: number): LabeledExample[] => {
  const examples: LabeledExample[] = [];
  for (const [category, { subjects, phrases }] of Object.entries(TOPICS)) {
    for (let i = 0; i < perTopic; i++) {
      const phrase = phrases[i % phrases.length];
      const subject = subjects[Math.floor(i / phrases.length) % subjects.length];
      const suffix = i >= phrases.length * subjects.length ? ` (ticket ${i})` : '';
      examples.push({ text: phrase.replace('{s}', subject) + suffix, category });
    }
  }
  return examples;
};

/** Texts none of the toy examples contain, with the topic a person would give them. */
export const unseenToyTexts: LabeledExample[] = [
  { text: 'There is a double charge on my card for the same invoice', category: 'billing' },
  { text: 'The package still has not arrived, where is my delivery?', category: 'shipping' },
  { text: 'I am locked out of my account, the password reset does not work', category: 'login' },
];
