"""Judges a pretrained drawing classifier as a window statistic on the exploration images only.

Reads score.js's output (path, then the probabilities of nsfwjs's classes Drawing, Hentai, Neutral, Porn, Sexy),
takes an image's drawn share as P(Drawing) + P(Hentai), and reads the window level from the reference the way
REPEATED_PIXELS does: the highest median over 32 consecutive reference tiles (the training sources of the shipped
default, in name order). Usage: python3 explore.py scores.tsv
"""
import bisect, csv, re, statistics, sys
from collections import defaultdict

HELD_OUT = {'ColorfulCups', 'Dandelions', 'EveningGlow', 'Stream', 'Sunset'}  # the default's validation sources
rows = [r for r in csv.reader(open(sys.argv[1]), delimiter='\t') if r and r[0].endswith(('.jpg', '.png'))]
drawn = lambda r: float(r[1]) + float(r[2])
source = lambda p: re.sub(r'_s\d+_.*', '', p.split('/')[-1])
is_illustration = lambda r: '/illustrations/' in r[0]

def auc(positives, negatives):
    negatives = sorted(negatives)
    wins = sum(bisect.bisect_left(negatives, v) + 0.5 * (bisect.bisect_right(negatives, v) - bisect.bisect_left(negatives, v))
               for v in positives)
    return wins / (len(positives) * len(negatives))

def window_medians(selected):
    selected = sorted(selected, key=lambda r: r[0])
    return [statistics.median(drawn(r) for r in selected[i:i + 32]) for i in range(0, len(selected) - 31, 32)]

photos = [r for r in rows if not is_illustration(r)]
illustrations = [r for r in rows if is_illustration(r)]
reference = sorted((r for r in photos if '/shared/data/photos/' in r[0] and source(r[0]) not in HELD_OUT), key=lambda r: r[0])
print('images: %d photos, %d illustrations; reference %d tiles' % (len(photos), len(illustrations), len(reference)))
print('image AUC, illustrations vs photos: %.3f' % auc([drawn(r) for r in illustrations], [drawn(r) for r in photos]))
values = [drawn(r) for r in reference]
level = max(statistics.median(values[i:i + 32]) for i in range(len(values) - 31))
print('level: the reference\'s highest median of 32 consecutive tiles %.3f' % level)
for name, marker in [('samples/unseen-photos', '/unseen-photos/'), ('samples/photos', '/samples/photos/'),
                     ('samples/illustrations', '/samples/illustrations/'), ('shared illustrations', '/shared/data/illustrations/')]:
    medians = window_medians([r for r in rows if marker in r[0]])
    print('%s: %d windows of 32, %d past the level; scores %s' % (name, len(medians), sum(m > level for m in medians),
          ' '.join('%.2f' % (m / level) for m in medians)))
by_source = defaultdict(list)
for r in rows:
    by_source[('illustration ' if is_illustration(r) else 'photo ') + source(r[0])].append(drawn(r))
for name in sorted(by_source, key=lambda k: statistics.median(by_source[k])):
    print('%-30s %4d images, median drawn share %.3f' % (name, len(by_source[name]), statistics.median(by_source[name])))
