package io.latentflow.cli.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Signs that a file is still being written: names that downloaders, browsers and copy tools give a file until it is
 * complete (they rename it then), and image files whose last bytes are not the end marker of their format.
 */
final class FilesBeingWritten {

    /** Suffixes of files in progress: curl/wget/rsync/Firefox (.part), Chrome (.crdownload), Safari (.download), .tmp. */
    private static final List<String> IN_PROGRESS_SUFFIXES =
            List.of(".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".filepart", "~");

    private FilesBeingWritten() {
    }

    /** A dotfile (rsync's and many editors' temporary files) or a name of a file still being downloaded or copied. */
    static boolean hasInProgressName(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) {
            return true;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return IN_PROGRESS_SUFFIXES.stream().anyMatch(lower::endsWith);
    }

    /**
     * False when {@code file} starts like a JPEG, PNG, GIF or WebP but does not end the way one does (the end of image
     * marker, the IEND chunk, the trailer, the RIFF length): the rest of it is probably still coming. True for every
     * other file, including those of other formats, which only the settle time guards.
     */
    static boolean looksComplete(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 16) {
                return true;
            }
            byte[] head = read(channel, 0, 12);
            byte[] tail = read(channel, size - Math.min(size, 64), (int) Math.min(size, 64));
            if (head[0] == (byte) 0xFF && head[1] == (byte) 0xD8) {
                return endsWithJpegEnd(tail);
            }
            if (head[0] == (byte) 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') {
                return contains(tail, new byte[] {'I', 'E', 'N', 'D'});
            }
            if (head[0] == 'G' && head[1] == 'I' && head[2] == 'F') {
                return tail[tail.length - 1] == 0x3B;
            }
            if (head[0] == 'R' && head[1] == 'I' && head[2] == 'F' && head[3] == 'F'
                    && head[8] == 'W' && head[9] == 'E' && head[10] == 'B' && head[11] == 'P') {
                long riffSize = (head[4] & 0xFFL) | (head[5] & 0xFFL) << 8 | (head[6] & 0xFFL) << 16
                        | (head[7] & 0xFFL) << 24;
                return size >= riffSize + 8;
            }
            return true;
        } catch (IOException e) {
            return true; // unreadable now: sending it reports why
        }
    }

    /** FF D9, possibly followed by the zero padding some cameras add. */
    private static boolean endsWithJpegEnd(byte[] tail) {
        int end = tail.length;
        while (end > 2 && tail[end - 1] == 0) {
            end--;
        }
        return tail[end - 2] == (byte) 0xFF && tail[end - 1] == (byte) 0xD9;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.array();
    }
}
