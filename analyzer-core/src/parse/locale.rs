//! Month names of the locales `journalctl` and syslog daemons print in.
//!
//! `journalctl -o short` writes the time with `strftime("%b %d %H:%M:%S")` and rsyslog's
//! traditional template with `%b %e`, both in the `LC_TIME` locale of the host: `10月 24
//! 17:15:47` (Chinese), ` 6月 11` (Japanese, space-padded), `gen 03` (Italian), `Okt 24`
//! (German), `janv. 12` (French), `окт 24` (Russian). [`stamp`] reads such a time as
//! [`time::syslog_stamp`](crate::parse::time::syslog_stamp) reads the English one; it is
//! tried only when the English reader fails, so English logs pay nothing.
//!
//! [`MONTHS`] is the union of the abbreviated month names (`abmon`, and `ab_alt_mon` where a
//! locale has it) of glibc's locale sources for German, French, Spanish, Italian, Portuguese,
//! Dutch, Swedish, Danish, Norwegian, Finnish, Polish, Czech, Slovak, Hungarian, Romanian,
//! Russian, Ukrainian, Belarusian, Bulgarian, Turkish, Greek, Japanese, Chinese (simplified and
//! traditional), Korean, Catalan, Indonesian, Vietnamese, Lithuanian, Latvian, Estonian,
//! Slovenian, Croatian, Serbian, Kazakh and Thai, each also capitalised and in lower case, plus
//! the nominative `май` of Russian before glibc 2.27. Where two locales disagree (Croatian
//! `lis` is October, Polish and Czech `lis` November) the first in that order wins. English
//! names are left to the English reader.

use crate::base::LocalTime;
use crate::parse::time::{digits, fraction_micros, hms};

/// Localised abbreviated month names and their month number, sorted by bytes.
pub static MONTHS: &[(&[u8], u8)] = &[
    (b"10\xe6\x9c\x88", 10),                        // 10月
    (b"10\xec\x9b\x94", 10),                        // 10월
    (b"11\xe6\x9c\x88", 11),                        // 11月
    (b"11\xec\x9b\x94", 11),                        // 11월
    (b"12\xe6\x9c\x88", 12),                        // 12月
    (b"12\xec\x9b\x94", 12),                        // 12월
    (b"1\xe6\x9c\x88", 1),                          // 1月
    (b"1\xec\x9b\x94", 1),                          // 1월
    (b"2\xe6\x9c\x88", 2),                          // 2月
    (b"2\xec\x9b\x94", 2),                          // 2월
    (b"3\xe6\x9c\x88", 3),                          // 3月
    (b"3\xec\x9b\x94", 3),                          // 3월
    (b"4\xe6\x9c\x88", 4),                          // 4月
    (b"4\xec\x9b\x94", 4),                          // 4월
    (b"5\xe6\x9c\x88", 5),                          // 5月
    (b"5\xec\x9b\x94", 5),                          // 5월
    (b"6\xe6\x9c\x88", 6),                          // 6月
    (b"6\xec\x9b\x94", 6),                          // 6월
    (b"7\xe6\x9c\x88", 7),                          // 7月
    (b"7\xec\x9b\x94", 7),                          // 7월
    (b"8\xe6\x9c\x88", 8),                          // 8月
    (b"8\xec\x9b\x94", 8),                          // 8월
    (b"9\xe6\x9c\x88", 9),                          // 9月
    (b"9\xec\x9b\x94", 9),                          // 9월
    (b"Abr", 4),                                    // Abr
    (b"Abr.", 4),                                   // Abr.
    (b"Ag.", 8),                                    // Ag.
    (b"Ago", 8),                                    // Ago
    (b"Agu", 8),                                    // Agu
    (b"Ao\xc3\xbbt", 8),                            // Août
    (b"April", 4),                                  // April
    (b"Ara", 12),                                   // Ara
    (b"Aug.", 8),                                   // Aug.
    (b"Avg", 8),                                    // Avg
    (b"Avril", 4),                                  // Avril
    (b"A\xc4\x9fu", 8),                             // Ağu
    (b"Bal.", 4),                                   // Bal.
    (b"Bir\xc5\xbe.", 6),                           // Birž.
    (b"B\xc5\x99e", 3),                             // Bře
    (b"Cze", 6),                                    // Cze
    (b"De des.", 12),                               // De des.
    (b"De febr.", 2),                               // De febr.
    (b"De gen.", 1),                                // De gen.
    (b"De jul.", 7),                                // De jul.
    (b"De juny", 6),                                // De juny
    (b"De maig", 5),                                // De maig
    (b"De mar\xc3\xa7", 3),                         // De març
    (b"De nov.", 11),                               // De nov.
    (b"De set.", 9),                                // De set.
    (b"Des", 12),                                   // Des
    (b"Des.", 12),                                  // Des.
    (b"Dets", 12),                                  // Dets
    (b"Dez", 12),                                   // Dez
    (b"Dic", 12),                                   // Dic
    (b"Dub", 4),                                    // Dub
    (b"D\xc3\xa9c.", 12),                           // Déc.
    (b"D\xe2\x80\x99abr.", 4),                      // D’abr.
    (b"D\xe2\x80\x99ag.", 8),                       // D’ag.
    (b"D\xe2\x80\x99oct.", 10),                     // D’oct.
    (b"Eki", 10),                                   // Eki
    (b"Elo", 8),                                    // Elo
    (b"Ene", 1),                                    // Ene
    (b"Eyl", 9),                                    // Eyl
    (b"Feb.", 2),                                   // Feb.
    (b"Febr", 2),                                   // Febr
    (b"Febr.", 2),                                  // Febr.
    (b"Fev", 2),                                    // Fev
    (b"F\xc3\xa9vr.", 2),                           // Févr.
    (b"Geg.", 5),                                   // Geg.
    (b"Gen", 1),                                    // Gen
    (b"Gen.", 1),                                   // Gen.
    (b"Giu", 6),                                    // Giu
    (b"Gru", 12),                                   // Gru
    (b"Gruod.", 12),                                // Gruod.
    (b"Haz", 6),                                    // Haz
    (b"Hein\xc3\xa4", 7),                           // Heinä
    (b"Helmi", 2),                                  // Helmi
    (b"Huhti", 4),                                  // Huhti
    (b"Ian", 1),                                    // Ian
    (b"Iul", 7),                                    // Iul
    (b"Iun", 6),                                    // Iun
    (b"Jaan", 1),                                   // Jaan
    (b"Jan.", 1),                                   // Jan.
    (b"Janv.", 1),                                  // Janv.
    (b"Joulu", 12),                                 // Joulu
    (b"Juil.", 7),                                  // Juil.
    (b"Juin", 6),                                   // Juin
    (b"Jul.", 7),                                   // Jul.
    (b"Juli", 7),                                   // Juli
    (b"Juni", 6),                                   // Juni
    (b"Juny", 6),                                   // Juny
    (b"Juuli", 7),                                  // Juuli
    (b"Juuni", 6),                                  // Juuni
    (b"J\xc3\xbal", 7),                             // Júl
    (b"J\xc3\xban", 6),                             // Jún
    (b"J\xc5\xabl", 7),                             // Jūl
    (b"J\xc5\xabn", 6),                             // Jūn
    (b"Kas", 11),                                   // Kas
    (b"Kes\xc3\xa4", 6),                            // Kesä
    (b"Kol", 8),                                    // Kol
    (b"Kov.", 3),                                   // Kov.
    (b"Kv\xc4\x9b", 5),                             // Kvě
    (b"Kwi", 4),                                    // Kwi
    (b"Lapkr.", 11),                                // Lapkr.
    (b"Led", 1),                                    // Led
    (b"Liep.", 7),                                  // Liep.
    (b"Lip", 7),                                    // Lip
    (b"Lis", 11),                                   // Lis
    (b"Loka", 10),                                  // Loka
    (b"Lug", 7),                                    // Lug
    (b"Lut", 2),                                    // Lut
    (b"Maalis", 3),                                 // Maalis
    (b"Mag", 5),                                    // Mag
    (b"Mai", 5),                                    // Mai
    (b"Maig", 5),                                   // Maig
    (b"Maj", 5),                                    // Maj
    (b"Marras", 11),                                // Marras
    (b"Mars", 3),                                   // Mars
    (b"Mar\xc3\xa7", 3),                            // Març
    (b"Mei", 5),                                    // Mei
    (b"Mrt", 3),                                    // Mrt
    (b"M\xc3\xa1j", 5),                             // Máj
    (b"M\xc3\xa1rc", 3),                            // Márc
    (b"M\xc3\xa4r", 3),                             // Mär
    (b"M\xc3\xa4rts", 3),                           // Märts
    (b"Nis", 4),                                    // Nis
    (b"Nov.", 11),                                  // Nov.
    (b"Oca", 1),                                    // Oca
    (b"Oct.", 10),                                  // Oct.
    (b"Okt", 10),                                   // Okt
    (b"Okt.", 10),                                  // Okt.
    (b"Ott", 10),                                   // Ott
    (b"Out", 10),                                   // Out
    (b"O\xc5\xbeu", 3),                             // Ožu
    (b"Pa\xc5\xba", 10),                            // Paź
    (b"Pro", 12),                                   // Pro
    (b"Rugp.", 8),                                  // Rugp.
    (b"Rugs.", 9),                                  // Rugs.
    (b"Ruj", 9),                                    // Ruj
    (b"Saus.", 1),                                  // Saus.
    (b"Sep.", 9),                                   // Sep.
    (b"Sept", 9),                                   // Sept
    (b"Sept.", 9),                                  // Sept.
    (b"Set", 9),                                    // Set
    (b"Set.", 9),                                   // Set.
    (b"Sie", 8),                                    // Sie
    (b"Sij", 1),                                    // Sij
    (b"Spal.", 10),                                 // Spal.
    (b"Srp", 8),                                    // Srp
    (b"Stu", 11),                                   // Stu
    (b"Sty", 1),                                    // Sty
    (b"Svi", 5),                                    // Svi
    (b"Syys", 9),                                   // Syys
    (b"Szept", 9),                                  // Szept
    (b"Tammi", 1),                                  // Tammi
    (b"Tem", 7),                                    // Tem
    (b"Thg 1", 1),                                  // Thg 1
    (b"Thg 10", 10),                                // Thg 10
    (b"Thg 11", 11),                                // Thg 11
    (b"Thg 12", 12),                                // Thg 12
    (b"Thg 2", 2),                                  // Thg 2
    (b"Thg 3", 3),                                  // Thg 3
    (b"Thg 4", 4),                                  // Thg 4
    (b"Thg 5", 5),                                  // Thg 5
    (b"Thg 6", 6),                                  // Thg 6
    (b"Thg 7", 7),                                  // Thg 7
    (b"Thg 8", 8),                                  // Thg 8
    (b"Thg 9", 9),                                  // Thg 9
    (b"Touko", 5),                                  // Touko
    (b"Tra", 4),                                    // Tra
    (b"Vas.", 2),                                   // Vas.
    (b"Veebr", 2),                                  // Veebr
    (b"Velj", 2),                                   // Velj
    (b"Wrz", 9),                                    // Wrz
    (b"Z\xc3\xa1\xc5\x99", 9),                      // Zář
    (b"abr", 4),                                    // abr
    (b"abr.", 4),                                   // abr.
    (b"ag.", 8),                                    // ag.
    (b"ago", 8),                                    // ago
    (b"agu", 8),                                    // agu
    (b"ao\xc3\xbbt", 8),                            // août
    (b"apr", 4),                                    // apr
    (b"april", 4),                                  // april
    (b"ara", 12),                                   // ara
    (b"aug", 8),                                    // aug
    (b"aug.", 8),                                   // aug.
    (b"avg", 8),                                    // avg
    (b"avril", 4),                                  // avril
    (b"a\xc4\x9fu", 8),                             // ağu
    (b"bal.", 4),                                   // bal.
    (b"bir\xc5\xbe.", 6),                           // birž.
    (b"b\xc5\x99e", 3),                             // bře
    (b"cze", 6),                                    // cze
    (b"de des.", 12),                               // de des.
    (b"de febr.", 2),                               // de febr.
    (b"de gen.", 1),                                // de gen.
    (b"de jul.", 7),                                // de jul.
    (b"de juny", 6),                                // de juny
    (b"de maig", 5),                                // de maig
    (b"de mar\xc3\xa7", 3),                         // de març
    (b"de nov.", 11),                               // de nov.
    (b"de set.", 9),                                // de set.
    (b"dec", 12),                                   // dec
    (b"des", 12),                                   // des
    (b"des.", 12),                                  // des.
    (b"dets", 12),                                  // dets
    (b"dez", 12),                                   // dez
    (b"dic", 12),                                   // dic
    (b"dub", 4),                                    // dub
    (b"d\xc3\xa9c.", 12),                           // déc.
    (b"d\xe2\x80\x99abr.", 4),                      // d’abr.
    (b"d\xe2\x80\x99ag.", 8),                       // d’ag.
    (b"d\xe2\x80\x99oct.", 10),                     // d’oct.
    (b"eki", 10),                                   // eki
    (b"elo", 8),                                    // elo
    (b"ene", 1),                                    // ene
    (b"eyl", 9),                                    // eyl
    (b"feb", 2),                                    // feb
    (b"feb.", 2),                                   // feb.
    (b"febr", 2),                                   // febr
    (b"febr.", 2),                                  // febr.
    (b"fev", 2),                                    // fev
    (b"f\xc3\xa9vr.", 2),                           // févr.
    (b"geg.", 5),                                   // geg.
    (b"gen", 1),                                    // gen
    (b"gen.", 1),                                   // gen.
    (b"giu", 6),                                    // giu
    (b"gru", 12),                                   // gru
    (b"gruod.", 12),                                // gruod.
    (b"haz", 6),                                    // haz
    (b"hein\xc3\xa4", 7),                           // heinä
    (b"helmi", 2),                                  // helmi
    (b"huhti", 4),                                  // huhti
    (b"ian", 1),                                    // ian
    (b"iul", 7),                                    // iul
    (b"iun", 6),                                    // iun
    (b"jaan", 1),                                   // jaan
    (b"jan", 1),                                    // jan
    (b"jan.", 1),                                   // jan.
    (b"janv.", 1),                                  // janv.
    (b"joulu", 12),                                 // joulu
    (b"juil.", 7),                                  // juil.
    (b"juin", 6),                                   // juin
    (b"jul", 7),                                    // jul
    (b"jul.", 7),                                   // jul.
    (b"juli", 7),                                   // juli
    (b"jun", 6),                                    // jun
    (b"juni", 6),                                   // juni
    (b"juny", 6),                                   // juny
    (b"juuli", 7),                                  // juuli
    (b"juuni", 6),                                  // juuni
    (b"j\xc3\xbal", 7),                             // júl
    (b"j\xc3\xban", 6),                             // jún
    (b"j\xc5\xabl", 7),                             // jūl
    (b"j\xc5\xabn", 6),                             // jūn
    (b"kas", 11),                                   // kas
    (b"kes\xc3\xa4", 6),                            // kesä
    (b"kol", 8),                                    // kol
    (b"kov.", 3),                                   // kov.
    (b"kv\xc4\x9b", 5),                             // kvě
    (b"kwi", 4),                                    // kwi
    (b"lapkr.", 11),                                // lapkr.
    (b"led", 1),                                    // led
    (b"liep.", 7),                                  // liep.
    (b"lip", 7),                                    // lip
    (b"lis", 11),                                   // lis
    (b"loka", 10),                                  // loka
    (b"lug", 7),                                    // lug
    (b"lut", 2),                                    // lut
    (b"maalis", 3),                                 // maalis
    (b"mag", 5),                                    // mag
    (b"mai", 5),                                    // mai
    (b"maig", 5),                                   // maig
    (b"maj", 5),                                    // maj
    (b"mar", 3),                                    // mar
    (b"marras", 11),                                // marras
    (b"mars", 3),                                   // mars
    (b"mar\xc3\xa7", 3),                            // març
    (b"may", 5),                                    // may
    (b"mei", 5),                                    // mei
    (b"mrt", 3),                                    // mrt
    (b"m\xc3\xa1j", 5),                             // máj
    (b"m\xc3\xa1rc", 3),                            // márc
    (b"m\xc3\xa4r", 3),                             // mär
    (b"m\xc3\xa4rts", 3),                           // märts
    (b"nis", 4),                                    // nis
    (b"nov", 11),                                   // nov
    (b"nov.", 11),                                  // nov.
    (b"oca", 1),                                    // oca
    (b"oct", 10),                                   // oct
    (b"oct.", 10),                                  // oct.
    (b"okt", 10),                                   // okt
    (b"okt.", 10),                                  // okt.
    (b"ott", 10),                                   // ott
    (b"out", 10),                                   // out
    (b"o\xc5\xbeu", 3),                             // ožu
    (b"pa\xc5\xba", 10),                            // paź
    (b"pro", 12),                                   // pro
    (b"rugp.", 8),                                  // rugp.
    (b"rugs.", 9),                                  // rugs.
    (b"ruj", 9),                                    // ruj
    (b"saus.", 1),                                  // saus.
    (b"sep", 9),                                    // sep
    (b"sep.", 9),                                   // sep.
    (b"sept", 9),                                   // sept
    (b"sept.", 9),                                  // sept.
    (b"set", 9),                                    // set
    (b"set.", 9),                                   // set.
    (b"sie", 8),                                    // sie
    (b"sij", 1),                                    // sij
    (b"spal.", 10),                                 // spal.
    (b"srp", 8),                                    // srp
    (b"stu", 11),                                   // stu
    (b"sty", 1),                                    // sty
    (b"svi", 5),                                    // svi
    (b"syys", 9),                                   // syys
    (b"szept", 9),                                  // szept
    (b"tammi", 1),                                  // tammi
    (b"tem", 7),                                    // tem
    (b"thg 1", 1),                                  // thg 1
    (b"thg 10", 10),                                // thg 10
    (b"thg 11", 11),                                // thg 11
    (b"thg 12", 12),                                // thg 12
    (b"thg 2", 2),                                  // thg 2
    (b"thg 3", 3),                                  // thg 3
    (b"thg 4", 4),                                  // thg 4
    (b"thg 5", 5),                                  // thg 5
    (b"thg 6", 6),                                  // thg 6
    (b"thg 7", 7),                                  // thg 7
    (b"thg 8", 8),                                  // thg 8
    (b"thg 9", 9),                                  // thg 9
    (b"touko", 5),                                  // touko
    (b"tra", 4),                                    // tra
    (b"vas.", 2),                                   // vas.
    (b"veebr", 2),                                  // veebr
    (b"velj", 2),                                   // velj
    (b"wrz", 9),                                    // wrz
    (b"z\xc3\xa1\xc5\x99", 9),                      // zář
    (b"\xc3\x81pr", 4),                             // Ápr
    (b"\xc3\x9ano", 2),                             // Úno
    (b"\xc3\xa1pr", 4),                             // ápr
    (b"\xc3\xbano", 2),                             // úno
    (b"\xc4\x8cec", 7),                             // Čec
    (b"\xc4\x8cen", 6),                             // Čen
    (b"\xc4\x8dec", 7),                             // čec
    (b"\xc4\x8den", 6),                             // čen
    (b"\xc5\x98\xc3\xadj", 10),                     // Říj
    (b"\xc5\x99\xc3\xadj", 10),                     // říj
    (b"\xc5\x9eub", 2),                             // Şub
    (b"\xc5\x9fub", 2),                             // şub
    (b"\xce\x91\xcf\x80\xcf\x81", 4),               // Απρ
    (b"\xce\x91\xcf\x85\xce\xb3", 8),               // Αυγ
    (b"\xce\x91\xcf\x8d\xce\xb3", 8),               // Αύγ
    (b"\xce\x94\xce\xb5\xce\xba", 12),              // Δεκ
    (b"\xce\x99\xce\xb1\xce\xbd", 1),               // Ιαν
    (b"\xce\x99\xce\xbf\xcf\x85\xce\xbb", 7),       // Ιουλ
    (b"\xce\x99\xce\xbf\xcf\x85\xce\xbd", 6),       // Ιουν
    (b"\xce\x99\xce\xbf\xcf\x8d\xce\xbb", 7),       // Ιούλ
    (b"\xce\x99\xce\xbf\xcf\x8d\xce\xbd", 6),       // Ιούν
    (b"\xce\x9c\xce\xac\xce\xb9", 5),               // Μάι
    (b"\xce\x9c\xce\xac\xcf\x81", 3),               // Μάρ
    (b"\xce\x9c\xce\xb1\xce\x90", 5),               // Μαΐ
    (b"\xce\x9c\xce\xb1\xcf\x81", 3),               // Μαρ
    (b"\xce\x9d\xce\xbf\xce\xad", 11),              // Νοέ
    (b"\xce\x9d\xce\xbf\xce\xb5", 11),              // Νοε
    (b"\xce\x9f\xce\xba\xcf\x84", 10),              // Οκτ
    (b"\xce\xa3\xce\xb5\xcf\x80", 9),               // Σεπ
    (b"\xce\xa6\xce\xb5\xce\xb2", 2),               // Φεβ
    (b"\xce\xb1\xcf\x80\xcf\x81", 4),               // απρ
    (b"\xce\xb1\xcf\x85\xce\xb3", 8),               // αυγ
    (b"\xce\xb1\xcf\x8d\xce\xb3", 8),               // αύγ
    (b"\xce\xb4\xce\xb5\xce\xba", 12),              // δεκ
    (b"\xce\xb9\xce\xb1\xce\xbd", 1),               // ιαν
    (b"\xce\xb9\xce\xbf\xcf\x85\xce\xbb", 7),       // ιουλ
    (b"\xce\xb9\xce\xbf\xcf\x85\xce\xbd", 6),       // ιουν
    (b"\xce\xb9\xce\xbf\xcf\x8d\xce\xbb", 7),       // ιούλ
    (b"\xce\xb9\xce\xbf\xcf\x8d\xce\xbd", 6),       // ιούν
    (b"\xce\xbc\xce\xac\xce\xb9", 5),               // μάι
    (b"\xce\xbc\xce\xac\xcf\x81", 3),               // μάρ
    (b"\xce\xbc\xce\xb1\xce\x90", 5),               // μαΐ
    (b"\xce\xbc\xce\xb1\xcf\x81", 3),               // μαρ
    (b"\xce\xbd\xce\xbf\xce\xad", 11),              // νοέ
    (b"\xce\xbd\xce\xbf\xce\xb5", 11),              // νοε
    (b"\xce\xbf\xce\xba\xcf\x84", 10),              // οκτ
    (b"\xcf\x83\xce\xb5\xcf\x80", 9),               // σεπ
    (b"\xcf\x86\xce\xb5\xce\xb2", 2),               // φεβ
    (b"\xd0\x88\xd0\xb0\xd0\xbd", 1),               // Јан
    (b"\xd0\x88\xd1\x83\xd0\xbb", 7),               // Јул
    (b"\xd0\x88\xd1\x83\xd0\xbd", 6),               // Јун
    (b"\xd0\x90\xd0\xb2\xd0\xb3", 8),               // Авг
    (b"\xd0\x90\xd0\xbf\xd1\x80", 4),               // Апр
    (b"\xd0\x90\xd2\x9b\xd0\xbf", 2),               // Ақп
    (b"\xd0\x91\xd0\xb5\xd1\x80", 3),               // Бер
    (b"\xd0\x92\xd0\xb5\xd1\x80", 9),               // Вер
    (b"\xd0\x93\xd1\x80\xd1\x83", 12),              // Гру
    (b"\xd0\x94\xd0\xb5\xd0\xba", 12),              // Дек
    (b"\xd0\x94\xd0\xb5\xd1\x86", 12),              // Дец
    (b"\xd0\x96\xd0\xb5\xd0\xbb", 12),              // Жел
    (b"\xd0\x96\xd0\xbd\xd1\x96", 8),               // Жні
    (b"\xd0\x96\xd0\xbe\xd0\xb2", 10),              // Жов
    (b"\xd0\x98\xd1\x8e\xd0\xbb", 7),               // Июл
    (b"\xd0\x98\xd1\x8e\xd0\xbd", 6),               // Июн
    (b"\xd0\x9a\xd0\xb0\xd1\x81", 10),              // Кас
    (b"\xd0\x9a\xd0\xb2\xd1\x96", 4),               // Кві
    (b"\xd0\x9a\xd1\x80\xd0\xb0", 4),               // Кра
    (b"\xd0\x9b\xd0\xb8\xd0\xbf", 7),               // Лип
    (b"\xd0\x9b\xd0\xb8\xd1\x81", 11),              // Лис
    (b"\xd0\x9b\xd1\x8e\xd1\x82", 2),               // Лют
    (b"\xd0\x9b\xd1\x96\xd0\xbf", 7),               // Ліп
    (b"\xd0\x9b\xd1\x96\xd1\x81", 11),              // Ліс
    (b"\xd0\x9c\xd0\xb0\xd0\xb9", 5),               // Май
    (b"\xd0\x9c\xd0\xb0\xd0\xbc", 5),               // Мам
    (b"\xd0\x9c\xd0\xb0\xd1\x80", 3),               // Мар
    (b"\xd0\x9c\xd0\xb0\xd1\x83", 6),               // Мау
    (b"\xd0\x9c\xd0\xb0\xd1\x8f", 5),               // Мая
    (b"\xd0\x9c\xd0\xb0\xd1\x98", 5),               // Мај
    (b"\xd0\x9d\xd0\xb0\xd1\x83", 3),               // Нау
    (b"\xd0\x9d\xd0\xbe\xd0\xb2", 11),              // Нов
    (b"\xd0\x9d\xd0\xbe\xd0\xb5", 11),              // Ное
    (b"\xd0\x9d\xd0\xbe\xd1\x8f", 11),              // Ноя
    (b"\xd0\x9e\xd0\xba\xd1\x82", 10),              // Окт
    (b"\xd0\xa1\xd0\xb0\xd0\xba", 3),               // Сак
    (b"\xd0\xa1\xd0\xb5\xd0\xbd", 9),               // Сен
    (b"\xd0\xa1\xd0\xb5\xd0\xbf", 9),               // Сеп
    (b"\xd0\xa1\xd0\xb5\xd1\x80", 8),               // Сер
    (b"\xd0\xa1\xd0\xbd\xd0\xb5", 12),              // Сне
    (b"\xd0\xa1\xd1\x82\xd1\x83", 1),               // Сту
    (b"\xd0\xa1\xd1\x96\xd1\x87", 1),               // Січ
    (b"\xd0\xa1\xd3\x99\xd1\x83", 4),               // Сәу
    (b"\xd0\xa2\xd0\xb0\xd0\xbc", 8),               // Там
    (b"\xd0\xa2\xd1\x80\xd0\xb0", 5),               // Тра
    (b"\xd0\xa4\xd0\xb5\xd0\xb1", 2),               // Феб
    (b"\xd0\xa4\xd0\xb5\xd0\xb2", 2),               // Фев
    (b"\xd0\xa7\xd0\xb5\xd1\x80", 6),               // Чер
    (b"\xd0\xa7\xd1\x8d\xd1\x80", 6),               // Чэр
    (b"\xd0\xa8\xd1\x96\xd0\xbb", 7),               // Шіл
    (b"\xd0\xae\xd0\xbb\xd0\xb8", 7),               // Юли
    (b"\xd0\xae\xd0\xbd\xd0\xb8", 6),               // Юни
    (b"\xd0\xaf\xd0\xbd\xd0\xb2", 1),               // Янв
    (b"\xd0\xaf\xd0\xbd\xd1\x83", 1),               // Яну
    (b"\xd0\xb0\xd0\xb2\xd0\xb3", 8),               // авг
    (b"\xd0\xb0\xd0\xbf\xd1\x80", 4),               // апр
    (b"\xd0\xb0\xd2\x9b\xd0\xbf", 2),               // ақп
    (b"\xd0\xb1\xd0\xb5\xd1\x80", 3),               // бер
    (b"\xd0\xb2\xd0\xb5\xd1\x80", 9),               // вер
    (b"\xd0\xb3\xd1\x80\xd1\x83", 12),              // гру
    (b"\xd0\xb4\xd0\xb5\xd0\xba", 12),              // дек
    (b"\xd0\xb4\xd0\xb5\xd1\x86", 12),              // дец
    (b"\xd0\xb6\xd0\xb5\xd0\xbb", 12),              // жел
    (b"\xd0\xb6\xd0\xbd\xd1\x96", 8),               // жні
    (b"\xd0\xb6\xd0\xbe\xd0\xb2", 10),              // жов
    (b"\xd0\xb8\xd1\x8e\xd0\xbb", 7),               // июл
    (b"\xd0\xb8\xd1\x8e\xd0\xbd", 6),               // июн
    (b"\xd0\xba\xd0\xb0\xd1\x81", 10),              // кас
    (b"\xd0\xba\xd0\xb2\xd1\x96", 4),               // кві
    (b"\xd0\xba\xd1\x80\xd0\xb0", 4),               // кра
    (b"\xd0\xbb\xd0\xb8\xd0\xbf", 7),               // лип
    (b"\xd0\xbb\xd0\xb8\xd1\x81", 11),              // лис
    (b"\xd0\xbb\xd1\x8e\xd1\x82", 2),               // лют
    (b"\xd0\xbb\xd1\x96\xd0\xbf", 7),               // ліп
    (b"\xd0\xbb\xd1\x96\xd1\x81", 11),              // ліс
    (b"\xd0\xbc\xd0\xb0\xd0\xb9", 5),               // май
    (b"\xd0\xbc\xd0\xb0\xd0\xbc", 5),               // мам
    (b"\xd0\xbc\xd0\xb0\xd1\x80", 3),               // мар
    (b"\xd0\xbc\xd0\xb0\xd1\x83", 6),               // мау
    (b"\xd0\xbc\xd0\xb0\xd1\x8f", 5),               // мая
    (b"\xd0\xbc\xd0\xb0\xd1\x98", 5),               // мај
    (b"\xd0\xbd\xd0\xb0\xd1\x83", 3),               // нау
    (b"\xd0\xbd\xd0\xbe\xd0\xb2", 11),              // нов
    (b"\xd0\xbd\xd0\xbe\xd0\xb5", 11),              // ное
    (b"\xd0\xbd\xd0\xbe\xd1\x8f", 11),              // ноя
    (b"\xd0\xbe\xd0\xba\xd1\x82", 10),              // окт
    (b"\xd1\x81\xd0\xb0\xd0\xba", 3),               // сак
    (b"\xd1\x81\xd0\xb5\xd0\xbd", 9),               // сен
    (b"\xd1\x81\xd0\xb5\xd0\xbf", 9),               // сеп
    (b"\xd1\x81\xd0\xb5\xd1\x80", 8),               // сер
    (b"\xd1\x81\xd0\xbd\xd0\xb5", 12),              // сне
    (b"\xd1\x81\xd1\x82\xd1\x83", 1),               // сту
    (b"\xd1\x81\xd1\x96\xd1\x87", 1),               // січ
    (b"\xd1\x81\xd3\x99\xd1\x83", 4),               // сәу
    (b"\xd1\x82\xd0\xb0\xd0\xbc", 8),               // там
    (b"\xd1\x82\xd1\x80\xd0\xb0", 5),               // тра
    (b"\xd1\x84\xd0\xb5\xd0\xb1", 2),               // феб
    (b"\xd1\x84\xd0\xb5\xd0\xb2", 2),               // фев
    (b"\xd1\x87\xd0\xb5\xd1\x80", 6),               // чер
    (b"\xd1\x87\xd1\x8d\xd1\x80", 6),               // чэр
    (b"\xd1\x88\xd1\x96\xd0\xbb", 7),               // шіл
    (b"\xd1\x8e\xd0\xbb\xd0\xb8", 7),               // юли
    (b"\xd1\x8e\xd0\xbd\xd0\xb8", 6),               // юни
    (b"\xd1\x8f\xd0\xbd\xd0\xb2", 1),               // янв
    (b"\xd1\x8f\xd0\xbd\xd1\x83", 1),               // яну
    (b"\xd1\x98\xd0\xb0\xd0\xbd", 1),               // јан
    (b"\xd1\x98\xd1\x83\xd0\xbb", 7),               // јул
    (b"\xd1\x98\xd1\x83\xd0\xbd", 6),               // јун
    (b"\xd2\x9a\xd0\xb0\xd0\xb7", 10),              // Қаз
    (b"\xd2\x9a\xd0\xb0\xd1\x80", 11),              // Қар
    (b"\xd2\x9a\xd0\xb0\xd2\xa3", 1),               // Қаң
    (b"\xd2\x9a\xd1\x8b\xd1\x80", 9),               // Қыр
    (b"\xd2\x9b\xd0\xb0\xd0\xb7", 10),              // қаз
    (b"\xd2\x9b\xd0\xb0\xd1\x80", 11),              // қар
    (b"\xd2\x9b\xd0\xb0\xd2\xa3", 1),               // қаң
    (b"\xd2\x9b\xd1\x8b\xd1\x80", 9),               // қыр
    (b"\xe0\xb8\x81.\xe0\xb8\x84.", 7),             // ก.ค.
    (b"\xe0\xb8\x81.\xe0\xb8\x9e.", 2),             // ก.พ.
    (b"\xe0\xb8\x81.\xe0\xb8\xa2.", 9),             // ก.ย.
    (b"\xe0\xb8\x95.\xe0\xb8\x84.", 10),            // ต.ค.
    (b"\xe0\xb8\x98.\xe0\xb8\x84.", 12),            // ธ.ค.
    (b"\xe0\xb8\x9e.\xe0\xb8\x84.", 5),             // พ.ค.
    (b"\xe0\xb8\x9e.\xe0\xb8\xa2.", 11),            // พ.ย.
    (b"\xe0\xb8\xa1.\xe0\xb8\x84.", 1),             // ม.ค.
    (b"\xe0\xb8\xa1\xe0\xb8\xb4.\xe0\xb8\xa2.", 6), // มิ.ย.
    (b"\xe0\xb8\xa1\xe0\xb8\xb5.\xe0\xb8\x84.", 3), // มี.ค.
    (b"\xe0\xb8\xaa.\xe0\xb8\x84.", 8),             // ส.ค.
    (b"\xe0\xb9\x80\xe0\xb8\xa1.\xe0\xb8\xa2.", 4), // เม.ย.
];

/// The localised month name at the start of `b`, ended by a space: its number and length.
pub fn month(b: &[u8]) -> Option<(u8, usize)> {
    let end = memchr::memchr(b' ', b.get(..b.len().min(16))?)?;
    let name = &b[..end];
    let i = MONTHS.binary_search_by(|(k, _)| (*k).cmp(name)).ok()?;
    Some((MONTHS[i].1, end))
}

/// `MON dd HH:MM:SS[.ffffff]` with a localised month name ([`month`]), the day zero- or
/// space-padded. Returns the time and the bytes consumed.
pub fn stamp(b: &[u8]) -> Option<(LocalTime, usize)> {
    let (month, n) = month(b)?;
    let mut i = n + 1;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let day = match (b.get(i), b.get(i + 1)) {
        (Some(d), Some(b' ')) if d.is_ascii_digit() => {
            i += 1;
            u32::from(d - b'0')
        }
        _ => {
            let d = digits(b.get(i..)?, 2)?;
            i += 2;
            d
        }
    };
    if b.get(i) != Some(&b' ') || !(1..=31).contains(&day) {
        return None;
    }
    i += 1;
    let (hour, minute, second) = hms(b.get(i..)?)?;
    i += 8;
    let mut micros = 0;
    if b.get(i) == Some(&b'.') {
        let (us, k) = fraction_micros(&b[i + 1..]);
        if k > 0 {
            micros = us;
            i += 1 + k;
        }
    }
    Some((
        LocalTime {
            year: None,
            month,
            day: day as u8,
            hour,
            minute,
            second,
            micros,
        },
        i,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        assert!(MONTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(MONTHS.iter().all(|(_, m)| (1..=12).contains(m)));
    }

    #[test]
    fn journal_times_of_other_locales() {
        // Real journal lines: zh_CN (moby#40130, k8s#118607), it_IT (docker/for-linux#1178),
        // and the other shapes glibc prints.
        let cases: &[(&str, u8, u8, usize)] = &[
            ("10月 24 17:15:47 slave2 dockerd[3948]: x", 10, 24, 17),
            ("6月 11 11:36:26 master1 systemd[1]: x", 6, 11, 16),
            (
                "gen 03 10:46:17 Valuation-Linux-1 dockerd[181060]: x",
                1,
                3,
                15,
            ),
            ("Okt 24 17:15:47 host kubelet[1]: x", 10, 24, 15),
            ("Mär  2 07:01:02 host kernel: x", 3, 2, 16),
            ("janv. 12 07:01:02.123456 host kernel: x", 1, 12, 24),
            ("déc. 31 23:59:59 host kernel: x", 12, 31, 17),
            ("окт 24 17:15:47 host kernel: x", 10, 24, 18),
            ("мая 09 17:15:47 host kernel: x", 5, 9, 18),
            ("12월 01 00:00:00 host kernel: x", 12, 1, 17),
            ("ene 05 10:00:00 host kernel: x", 1, 5, 15),
            ("out 05 10:00:00 host kernel: x", 10, 5, 15),
            ("lis 05 10:00:00 host kernel: x", 11, 5, 15),
        ];
        for (line, m, d, used) in cases {
            let (t, n) = stamp(line.as_bytes()).unwrap_or_else(|| panic!("{line}"));
            assert_eq!((t.month, t.day, n), (*m, *d, *used), "{line}");
        }
        assert_eq!(
            stamp(b"Jan 03 10:46:17 host x: y"),
            None,
            "English is not ours"
        );
        assert_eq!(stamp(b"gen 3x 10:46:17"), None);
        assert_eq!(stamp(b"foo 03 10:46:17 host"), None);
        assert_eq!(stamp(b"gen 03 25:46:17 host"), None);
    }
}
