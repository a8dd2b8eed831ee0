package io.loladeft.finetune.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RoBERTa's byte-level BPE (the GPT-2 scheme) in pure Java, from {@code vocab.json} +
 * {@code merges.txt}: no native tokenizer library, nothing downloaded. Special tokens: {@code <s>}=bos,
 * {@code </s>}=eos, {@code <pad>} (id 1 in roberta-base), {@code <unk>}. Pairs are encoded
 * {@code <s> A </s></s> B </s>}. Thread-safe.
 */
public final class RobertaTokenizer implements TextTokenizer {

    /** GPT-2's pre-tokenisation pattern (contractions, letters, digits, other, whitespace). */
    private static final Pattern PRETOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = bytesToUnicode();

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final int bos;
    private final int eos;
    private final int pad;
    private final int unk;

    public RobertaTokenizer(Map<String, Integer> vocab, List<String> merges) {
        this.vocab = Map.copyOf(vocab);
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i), i);
        }
        this.mergeRanks = ranks;
        this.bos = special("<s>");
        this.eos = special("</s>");
        this.pad = special("<pad>");
        this.unk = special("<unk>");
    }

    /** Loads {@code vocab.json} and {@code merges.txt} from a directory. */
    public static RobertaTokenizer fromDirectory(Path dir) {
        Path vocabFile = dir.resolve("vocab.json");
        Path mergesFile = dir.resolve("merges.txt");
        Map<String, Integer> vocab = new HashMap<>();
        try {
            JsonObject o = JsonParser.parseString(Files.readString(vocabFile, StandardCharsets.UTF_8))
                    .getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                vocab.put(e.getKey(), e.getValue().getAsInt());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + vocabFile, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(vocabFile + ": not a JSON object of token -> id: " + e.getMessage(), e);
        }
        List<String> merges = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(mergesFile, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.startsWith("#version") || line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(" ");
                if (parts.length != 2) {
                    throw new IllegalArgumentException(
                            mergesFile + ":" + n + ": a merge needs two symbols, got '" + line + "'");
                }
                merges.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mergesFile, e);
        }
        return new RobertaTokenizer(vocab, merges);
    }

    public int bosId() {
        return bos;
    }

    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    public int vocabSize() {
        return vocab.size();
    }

    /** Token ids of {@code text} without special tokens. */
    public List<Integer> tokenize(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = PRETOKENIZE.matcher(text);
        while (m.find()) {
            String piece = m.group();
            int[] ids = cache.computeIfAbsent(piece, this::bpeIds);
            for (int id : ids) {
                out.add(id);
            }
        }
        return out;
    }

    /** {@code <s> text </s>}, truncated to {@code maxLength} (special tokens included). */
    public Encoding encode(String text, int maxLength) {
        return encodePair(text, null, maxLength);
    }

    /**
     * {@code <s> A </s>} or {@code <s> A </s></s> B </s>}, truncating longest-first so the whole
     * fits {@code maxLength}; no padding (see {@link #pad}).
     */
    @Override
    public Encoding encodePair(String a, String b, int maxLength) {
        List<Integer> ta = tokenize(a);
        List<Integer> tb = b == null ? null : tokenize(b);
        int specials = tb == null ? 2 : 4;
        if (maxLength < specials + (tb == null ? 1 : 2)) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for text");
        }
        int budget = maxLength - specials;
        if (tb == null) {
            if (ta.size() > budget) {
                ta = ta.subList(0, budget);
            }
        } else {
            int la = ta.size();
            int lb = tb.size();
            while (la + lb > budget) {
                if (la >= lb) {
                    la--;
                } else {
                    lb--;
                }
            }
            ta = ta.subList(0, la);
            tb = tb.subList(0, lb);
        }
        List<Integer> ids = new ArrayList<>(ta.size() + (tb == null ? 0 : tb.size()) + specials);
        ids.add(bos);
        ids.addAll(ta);
        ids.add(eos);
        if (tb != null) {
            ids.add(eos);
            ids.addAll(tb);
            ids.add(eos);
        }
        long[] arr = new long[ids.size()];
        for (int i = 0; i < arr.length; i++) {
            arr[i] = ids.get(i);
        }
        return new Encoding(arr, new long[arr.length]);
    }

    private int[] bpeIds(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte by : bytes) {
            sb.append(BYTE_TO_CHAR[by & 0xff]);
        }
        List<String> word = new ArrayList<>();
        String mapped = sb.toString();
        for (int i = 0; i < mapped.length(); i++) {
            word.add(String.valueOf(mapped.charAt(i)));
        }
        while (word.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < word.size() - 1; i++) {
                Integer r = mergeRanks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            String first = word.get(best);
            String second = word.get(best + 1);
            List<String> next = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i < word.size() - 1
                        && word.get(i).equals(first)
                        && word.get(i + 1).equals(second)) {
                    next.add(first + second);
                    i++;
                } else {
                    next.add(word.get(i));
                }
            }
            word = next;
        }
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(word.get(i));
            ids[i] = id != null ? id : unk;
        }
        return ids;
    }

    private int special(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("vocabulary has no " + token + " token");
        }
        return id;
    }

    /** GPT-2's reversible map from bytes to printable unicode characters. */
    private static char[] bytesToUnicode() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int n = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? (char) b : (char) (256 + n++);
        }
        return map;
    }
}
