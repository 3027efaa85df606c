"""Summarise a py-spy raw profile (bench/run.py --profile): the share of samples in
which each function appears (inclusive) and where samples end (exclusive).

    python bench/profile_summary.py bench/results/profile-sqlite-acked.txt [--top 40] [--filter exhibition]
"""
import argparse
import collections


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--filter", default="", help="only frames whose text contains this")
    args = parser.parse_args()
    inclusive, exclusive, total = collections.Counter(), collections.Counter(), 0
    for line in open(args.path):
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            if args.filter in frame:
                inclusive[frame] += n
        exclusive[frames[-1]] += n
    print(f"{total} samples\n== inclusive")
    for frame, n in inclusive.most_common(args.top):
        print(f"{100 * n / total:5.1f}%  {frame}")
    print("== exclusive")
    for frame, n in exclusive.most_common(args.top // 2):
        print(f"{100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
