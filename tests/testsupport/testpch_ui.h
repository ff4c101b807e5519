// Precompiled for the window's test programs (those linking Inspector::Ui: qtest.h adds its widget parts there).
#include "testpch.h"

#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTreeWidget>
