package io.latentflow.e2e;

import io.latentflow.schemas.DeadLetterReason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** A folder of files that are not usable images, each with the dead-letter reason it must get. */
final class BadImages {

    private BadImages() {
    }

    /** Writes the files into {@code folder} and returns file name -> expected reason. */
    static Map<String, DeadLetterReason> writeInto(Path folder, Path aGoodJpeg) throws IOException {
        Files.createDirectories(folder);
        byte[] jpeg = Files.readAllBytes(aGoodJpeg);
        Map<String, DeadLetterReason> expected = new LinkedHashMap<>();
        write(folder, "empty.jpg", new byte[0], DeadLetterReason.MISSING_PAYLOAD, expected);
        // not .txt: a .txt beside images is a caption sidecar, set aside by ingest instead of sent
        write(folder, "notes.dat", "these are notes, not an image\n".getBytes(StandardCharsets.UTF_8),
                DeadLetterReason.UNSUPPORTED_FORMAT, expected);
        byte[] random = new byte[4096];
        new Random(11).nextBytes(random);
        random[0] = 0x11; // not a magic number of any format
        write(folder, "random.bin", random, DeadLetterReason.UNSUPPORTED_FORMAT, expected);
        write(folder, "truncated.jpg", Arrays.copyOf(jpeg, jpeg.length / 2), DeadLetterReason.CORRUPT_IMAGE, expected);
        byte[] noise = new byte[3000];
        new Random(12).nextBytes(noise);
        noise[0] = (byte) 0xFF;
        noise[1] = (byte) 0xD8;
        noise[2] = (byte) 0xFF;
        write(folder, "noise-behind-jpeg-magic.jpg", noise, DeadLetterReason.CORRUPT_IMAGE, expected);
        write(folder, "tiny.png", png(8, 8), DeadLetterReason.IMAGE_TOO_SMALL, expected);
        write(folder, "bomb.png", pngClaiming(png(32, 32), 50_000, 50_000), DeadLetterReason.TOO_MANY_PIXELS, expected);
        return expected;
    }

    private static void write(Path folder, String name, byte[] bytes, DeadLetterReason reason,
            Map<String, DeadLetterReason> expected) throws IOException {
        Files.write(folder.resolve(name), bytes);
        expected.put(name, reason);
    }

    private static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A decompression bomb: a small valid PNG whose header claims a huge size (IHDR CRC fixed up). */
    private static byte[] pngClaiming(byte[] png, int width, int height) {
        byte[] bomb = png.clone();
        ByteBuffer buffer = ByteBuffer.wrap(bomb);
        buffer.putInt(16, width).putInt(20, height); // IHDR data starts after signature (8) + length (4) + type (4)
        CRC32 crc = new CRC32();
        crc.update(bomb, 12, 17); // chunk type + 13 data bytes
        buffer.putInt(29, (int) crc.getValue());
        return bomb;
    }
}
