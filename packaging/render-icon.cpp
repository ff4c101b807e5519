// SPDX-License-Identifier: MIT
// Renders the application's SVG icon to the PNG sizes of the hicolor theme, at build time: Qt's own SVG image
// plugin (libqt6svg6, a runtime dependency already) draws them, so no rsvg-convert or inkscape is needed.
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QTextStream>

using namespace Qt::StringLiterals;

int main(int argc, char** argv)
{
    // no display at build time: painting into a QImage needs no GUI application, only the plugin path
    QCoreApplication app(argc, argv);
    QTextStream err(stderr);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 4) {
        err << "usage: render-icon SVG OUTDIR SIZE...  (writes OUTDIR/SIZExSIZE/NAME.png)" << Qt::endl;
        return 2;
    }
    const QString svg = arguments[1];
    const QString baseName = QFileInfo(svg).completeBaseName();
    const QDir outDir(arguments[2]);
    for (const QString& sizeText : arguments.mid(3)) {
        bool ok = false;
        const int size = sizeText.toInt(&ok);
        if (!ok || size <= 0 || size > 1024) {
            err << "render-icon: not a size: " << sizeText << Qt::endl;
            return 2;
        }
        QImageReader reader(svg, "svg");
        reader.setScaledSize(QSize(size, size));
        const QImage image = reader.read();
        if (image.isNull()) {
            err << "render-icon: " << svg << ": " << reader.errorString()
                << " (is Qt's SVG image plugin, libqt6svg6, installed?)" << Qt::endl;
            return 1;
        }
        const QString dir = u"%1x%1"_s.arg(size);
        const QString path = outDir.filePath(dir + u'/' + baseName + u".png"_s);
        if (!outDir.mkpath(dir) || !image.convertToFormat(QImage::Format_ARGB32).save(path, "PNG")) {
            err << "render-icon: cannot write " << path << Qt::endl;
            return 1;
        }
    }
    return 0;
}
